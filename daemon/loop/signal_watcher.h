#ifndef DBCACHE_DAEMON_LOOP_SIGNAL_WATCHER_H_
#define DBCACHE_DAEMON_LOOP_SIGNAL_WATCHER_H_

#include "absl/functional/any_invocable.h"
#include "daemon/loop/event_loop.h"

namespace dbcache::loop {

// Delivers a POSIX signal as an ordinary loop event, so the handler may do
// anything a callback may (no async-signal-safety limits). Destroying it stops
// watching.
//
//   SignalWatcher term(loop, SIGTERM, [&] { daemon.Shutdown(); });
class SignalWatcher {
 public:
  SignalWatcher(EventLoop& loop, int signal_number,
                absl::AnyInvocable<void()> handler);

 private:
  static void OnSignal(evutil_socket_t, short, void* arg);

  absl::AnyInvocable<void()> handler_;
  EventPtr event_;
};

}  // namespace dbcache::loop

#endif  // DBCACHE_DAEMON_LOOP_SIGNAL_WATCHER_H_
