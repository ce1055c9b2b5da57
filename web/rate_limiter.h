#ifndef DBCACHE_WEB_RATE_LIMITER_H_
#define DBCACHE_WEB_RATE_LIMITER_H_

#include <functional>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "web/monotonic_clock.h"

namespace dbcache::web {

// A token bucket: up to `burst` events at once, then one per `interval`.
// dbcache-web takes a token for each run it starts, so that a script (or a
// stuck button) cannot start runs back to back faster than anyone can watch
// them. Thread-safe.
//
//   RateLimiter starts(/*burst=*/10, /*interval=*/absl::Seconds(1));
//   if (std::optional<absl::Duration> wait = starts.TryAcquire()) {
//     return TooManyRequests(*wait);  // Retry after *wait.
//   }
class RateLimiter {
 public:
  using Clock = std::function<absl::Time()>;

  RateLimiter(int burst, absl::Duration interval, Clock clock = MonotonicNow);

  // Takes a token: nullopt when there was one, else how long until the next.
  std::optional<absl::Duration> TryAcquire();

 private:
  const int burst_;
  const absl::Duration interval_;
  const Clock clock_;
  absl::Mutex mu_;
  // The bucket as one time instead of a count and a stamp: it holds
  // (now - empty_at_) / interval_ tokens, at most burst_.
  absl::Time empty_at_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_RATE_LIMITER_H_
