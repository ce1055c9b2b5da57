#ifndef DBCACHE_DAEMON_CTL_CANCEL_ON_INTERRUPT_H_
#define DBCACHE_DAEMON_CTL_CANCEL_ON_INTERRUPT_H_

#include <pthread.h>

#include <atomic>
#include <thread>

#include "daemon/config/settings.h"

namespace dbcache::ctl {

// While it lives, SIGINT and SIGTERM (Ctrl-C, a kill) do not kill dbcachectl:
// a thread of its own takes them, asks dbcached to cancel the run that is
// going (over a connection of its own, as the main thread is blocked reading
// events) and raises interrupted(), so that a sweep ends cleanly: the run
// ends `cancelled`, its summary arrives and the sweep stops there.
//
//   CancelOnInterrupt interrupt(settings);
//   while (more && !interrupt.interrupted()) RunNextCell();
class CancelOnInterrupt {
 public:
  explicit CancelOnInterrupt(const config::Settings& settings);
  ~CancelOnInterrupt();
  CancelOnInterrupt(const CancelOnInterrupt&) = delete;
  CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;

  bool interrupted() const { return interrupted_.load(); }
  const std::atomic<bool>* interrupted_flag() const { return &interrupted_; }

 private:
  void Watch();

  const config::Settings& settings_;
  sigset_t previous_mask_;
  std::atomic<bool> interrupted_{false};
  std::thread thread_;
};

}  // namespace dbcache::ctl

#endif  // DBCACHE_DAEMON_CTL_CANCEL_ON_INTERRUPT_H_
