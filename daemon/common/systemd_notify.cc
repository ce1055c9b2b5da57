#include "daemon/common/systemd_notify.h"

#ifdef DBCACHE_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace dbcache {

void SystemdNotify(const std::string& state) {
#ifdef DBCACHE_HAVE_SYSTEMD
  sd_notify(0, state.c_str());
#else
  (void)state;
#endif
}

absl::Duration SystemdWatchdogInterval() {
#ifdef DBCACHE_HAVE_SYSTEMD
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    return absl::Microseconds(static_cast<int64_t>(usec)) / 2;
  }
#endif
  return absl::ZeroDuration();
}

}  // namespace dbcache
