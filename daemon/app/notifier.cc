#include "daemon/app/notifier.h"

#ifdef DBCACHE_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "daemon/common/str_cat.h"

namespace dbcache::app {

Notifier::Notifier(loop::Scheduler& scheduler) {
#ifdef DBCACHE_HAVE_SYSTEMD
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_interval_ = absl::Microseconds(static_cast<int64_t>(usec)) / 2;
    watchdog_timer_ = scheduler.CreateTimer([this] { Ping(); });
    watchdog_timer_->Enable(watchdog_interval_);
  }
#else
  (void)scheduler;
#endif
}

void Notifier::Send(const std::string& state) {
#ifdef DBCACHE_HAVE_SYSTEMD
  sd_notify(0, state.c_str());
#else
  (void)state;
#endif
}

void Notifier::Ready() {
  if (ready_sent_) return;
  ready_sent_ = true;
  Send("READY=1");
}

void Notifier::Status(std::string_view status) {
  if (status == last_status_) return;
  last_status_ = std::string(status);
  Send(StrCat("STATUS=", status));
}

void Notifier::Stopping() { Send("STOPPING=1"); }

void Notifier::Ping() {
  // The watchdog proves the loop turns: this timer only fires if it does.
  Send("WATCHDOG=1");
  watchdog_timer_->Enable(watchdog_interval_);
}

}  // namespace dbcache::app
