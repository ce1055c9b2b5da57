#ifndef DBCACHE_DAEMON_LOOP_FD_WATCH_H_
#define DBCACHE_DAEMON_LOOP_FD_WATCH_H_

#include <optional>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "daemon/loop/event_loop.h"

namespace dbcache::loop {

// A reusable one-shot wait for a socket to become readable and/or writable,
// with an optional timeout. Used to drive MariaDB's non-blocking *_start/*_cont
// calls: each call says what it waits for, we wait, then call *_cont with what
// happened.
//
//   FdWatch watch(loop, [&](short what) { Continue(what); });
//   // Continue(what) gets EV_READ, or EV_TIMEOUT after 500 ms.
//   watch.Wait(fd, EV_READ, absl::Milliseconds(500));
class FdWatch {
 public:
  FdWatch(EventLoop& loop, absl::AnyInvocable<void(short what)> ready);
  ~FdWatch();
  FdWatch(const FdWatch&) = delete;
  FdWatch& operator=(const FdWatch&) = delete;

  // `events` is a mask of EV_READ and EV_WRITE (may be 0 for a pure timeout).
  void Wait(int fd, short events, std::optional<absl::Duration> timeout);
  void Cancel();
  bool waiting() const { return waiting_; }

 private:
  static void OnReady(evutil_socket_t, short what, void* arg);

  event_base* base_;
  absl::AnyInvocable<void(short)> ready_;
  EventPtr event_;
  bool waiting_ = false;
};

}  // namespace dbcache::loop

#endif  // DBCACHE_DAEMON_LOOP_FD_WATCH_H_
