#ifndef DBCACHE_DAEMON_COMMON_SYSTEMD_NOTIFY_H_
#define DBCACHE_DAEMON_COMMON_SYSTEMD_NOTIFY_H_

#include <string>

#include "absl/time/time.h"

namespace dbcache {

// The two calls of libsystemd's sd_notify protocol that dbcache's programs use,
// as no-ops where the build has no libsystemd or the program runs without
// systemd (NOTIFY_SOCKET unset).
//
//   SystemdNotify("READY=1");
//   absl::Duration every = SystemdWatchdogInterval();  // zero: no watchdog
void SystemdNotify(const std::string& state);
// Half of WatchdogSec (WATCHDOG_USEC): how often to send WATCHDOG=1; zero if
// the service manager asked for no watchdog.
absl::Duration SystemdWatchdogInterval();

}  // namespace dbcache

#endif  // DBCACHE_DAEMON_COMMON_SYSTEMD_NOTIFY_H_
