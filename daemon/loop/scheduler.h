#ifndef DBCACHE_DAEMON_LOOP_SCHEDULER_H_
#define DBCACHE_DAEMON_LOOP_SCHEDULER_H_

#include <cstdint>
#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"

namespace dbcache::loop {

// A one-shot timer. Destroying it cancels it.
class Timer {
 public:
  virtual ~Timer() = default;
  // (Re)arms the timer to fire once after `delay`.
  virtual void Enable(absl::Duration delay) = 0;
  virtual void Disable() = 0;
  virtual bool enabled() const = 0;
};

// Time and timers: the daemon's only source of "now", so that unit tests can
// drive time by hand (FakeScheduler in tests/unit/fakes) instead of sleeping.
//
//   std::unique_ptr<Timer> t = scheduler.CreateTimer([&] { Tick(); });
//   t->Enable(absl::Milliseconds(100));
//   int64_t start = scheduler.NowNanos();  // monotonic
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Monotonic nanoseconds, for latencies and deadlines.
  virtual int64_t NowNanos() const = 0;
  // Wall-clock time, for timestamps people read.
  virtual absl::Time WallNow() const = 0;
  virtual std::unique_ptr<Timer> CreateTimer(
      absl::AnyInvocable<void()> fire) = 0;
};

}  // namespace dbcache::loop

#endif  // DBCACHE_DAEMON_LOOP_SCHEDULER_H_
