#ifndef DBCACHE_WEB_SYSTEMD_NOTIFIER_H_
#define DBCACHE_WEB_SYSTEMD_NOTIFIER_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace dbcache::web {

// dbcache-web's side of systemd's Type=notify, on a thread of its own: READY=1
// once the listener is bound (the caller starts this after Bind) and the first
// probe succeeds, STATUS= whenever the probe's text changes, WATCHDOG=1 at half
// of WatchdogSec while the process lives, STOPPING=1 on Stop(). Without systemd
// every message is a no-op, and the thread only probes.
//
//   SystemdNotifier notifier([&] { return Probe(reader); });
//   notifier.Start();
//   ...
//   notifier.Stop();  // on SIGTERM, before stopping the server
class SystemdNotifier {
 public:
  struct Probe {
    bool healthy;        // READY=1 waits for the first healthy probe.
    std::string status;  // The STATUS= text.
  };

  explicit SystemdNotifier(std::function<Probe()> probe);
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  void Start();
  // Sends STOPPING=1 and ends the thread. Idempotent.
  void Stop();

 private:
  void Loop();

  std::function<Probe()> probe_;
  absl::Duration period_;
  bool watchdog_ = false;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_SYSTEMD_NOTIFIER_H_
