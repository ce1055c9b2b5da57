#ifndef DBCACHE_DAEMON_APP_NOTIFIER_H_
#define DBCACHE_DAEMON_APP_NOTIFIER_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "daemon/loop/scheduler.h"

namespace dbcache::app {

// Talks to systemd (Type=notify) when the program runs under it, and is silent
// otherwise: READY=1 once, human-readable STATUS= lines, WATCHDOG=1 at half the
// WatchdogSec interval, STOPPING=1 on shutdown. Built without libsystemd, every
// call is a no-op.
//
//   Notifier notifier(scheduler);
//   notifier.Status("idle");
//   notifier.Ready();
class Notifier {
 public:
  explicit Notifier(loop::Scheduler& scheduler);
  void Ready();
  void Status(std::string_view status);
  void Stopping();
  bool ready_sent() const { return ready_sent_; }

 private:
  void Send(const std::string& state);
  void Ping();

  std::unique_ptr<loop::Timer> watchdog_timer_;
  absl::Duration watchdog_interval_ = absl::ZeroDuration();
  bool ready_sent_ = false;
  std::string last_status_;
};

}  // namespace dbcache::app

#endif  // DBCACHE_DAEMON_APP_NOTIFIER_H_
