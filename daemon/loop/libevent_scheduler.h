#ifndef DBCACHE_DAEMON_LOOP_LIBEVENT_SCHEDULER_H_
#define DBCACHE_DAEMON_LOOP_LIBEVENT_SCHEDULER_H_

#include "daemon/loop/event_loop.h"
#include "daemon/loop/scheduler.h"

namespace dbcache::loop {

// Scheduler on a real EventLoop: CLOCK_MONOTONIC time and libevent timers.
//
//   EventLoop loop;
//   LibeventScheduler scheduler(loop);
class LibeventScheduler : public Scheduler {
 public:
  explicit LibeventScheduler(EventLoop& loop) : loop_(loop) {}
  int64_t NowNanos() const override;
  absl::Time WallNow() const override;
  std::unique_ptr<Timer> CreateTimer(absl::AnyInvocable<void()> fire) override;

 private:
  EventLoop& loop_;
};

// timeval for a libevent timeout; negative durations become zero.
timeval DurationToTimeval(absl::Duration d);

}  // namespace dbcache::loop

#endif  // DBCACHE_DAEMON_LOOP_LIBEVENT_SCHEDULER_H_
