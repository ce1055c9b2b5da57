#include "web/systemd_notifier.h"

#include <algorithm>

#include "daemon/common/systemd_notify.h"

namespace dbcache::web {

SystemdNotifier::SystemdNotifier(std::function<Probe()> probe)
    : probe_(std::move(probe)) {
  const absl::Duration watchdog = SystemdWatchdogInterval();
  watchdog_ = watchdog > absl::ZeroDuration();
  // Probe once a second, or faster when the watchdog asks for it.
  period_ = watchdog_ ? std::min(watchdog, absl::Seconds(1)) : absl::Seconds(1);
}

SystemdNotifier::~SystemdNotifier() { Stop(); }

void SystemdNotifier::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void SystemdNotifier::Stop() {
  if (!thread_.joinable()) return;
  SystemdNotify("STOPPING=1");
  SystemdNotify("STATUS=stopping");
  stop_.Notify();
  thread_.join();
}

void SystemdNotifier::Loop() {
  bool ready = false;
  std::string last_status;
  do {
    const Probe probe = probe_();
    if (probe.status != last_status) {
      SystemdNotify("STATUS=" + probe.status);
      last_status = probe.status;
    }
    if (!ready && probe.healthy) {
      SystemdNotify("READY=1");
      ready = true;
    }
    // This thread beats only while the process is alive and not wedged in a
    // probe: a hung Redis read delays the beat, as it should.
    if (watchdog_) SystemdNotify("WATCHDOG=1");
  } while (!stop_.WaitForNotificationWithTimeout(period_));
}

}  // namespace dbcache::web
