#include "daemon/loop/backoff.h"

#include <algorithm>

namespace dbcache::loop {

Backoff::Backoff(absl::Duration initial, absl::Duration max, uint64_t seed)
    : initial_(initial), max_(std::max(initial, max)), rng_(seed) {}

absl::Duration Backoff::Next() {
  absl::Duration base = initial_;
  for (int i = 0; i < attempt_ && base < max_; ++i) base *= 2;
  base = std::min(base, max_);
  ++attempt_;
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return base * jitter(rng_);
}

}  // namespace dbcache::loop
