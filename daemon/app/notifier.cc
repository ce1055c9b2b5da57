#include "daemon/app/notifier.h"

#include "daemon/common/str_cat.h"
#include "daemon/common/systemd_notify.h"

namespace dbcache::app {

Notifier::Notifier(loop::Scheduler& scheduler)
    : watchdog_interval_(SystemdWatchdogInterval()) {
  if (watchdog_interval_ > absl::ZeroDuration()) {
    watchdog_timer_ = scheduler.CreateTimer([this] { Ping(); });
    watchdog_timer_->Enable(watchdog_interval_);
  }
}

void Notifier::Send(const std::string& state) { SystemdNotify(state); }

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
