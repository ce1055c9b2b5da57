#include "web/rate_limiter.h"

#include <algorithm>
#include <utility>

namespace dbcache::web {

RateLimiter::RateLimiter(int burst, absl::Duration interval, Clock clock)
    : burst_(std::max(burst, 1)),
      interval_(std::max(interval, absl::ZeroDuration())),
      clock_(std::move(clock)),
      empty_at_(absl::InfinitePast()) {}

std::optional<absl::Duration> RateLimiter::TryAcquire() {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  // An idle bucket fills up to burst_ tokens and no further.
  const absl::Time empty_at = std::max(empty_at_, now - burst_ * interval_);
  if (empty_at + interval_ > now) return empty_at + interval_ - now;
  empty_at_ = empty_at + interval_;
  return std::nullopt;
}

}  // namespace dbcache::web
