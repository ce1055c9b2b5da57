#ifndef DBCACHE_DAEMON_LOOP_BACKOFF_H_
#define DBCACHE_DAEMON_LOOP_BACKOFF_H_

#include <cstdint>
#include <random>

#include "absl/time/time.h"

namespace dbcache::loop {

// Capped exponential backoff with jitter: the n-th delay is uniform in
// [base/2, base] where base = min(initial * 2^n, max). The jitter keeps many
// clients that lost the same server from reconnecting in lock step.
//
//   Backoff backoff(absl::Milliseconds(100), absl::Seconds(5), seed);
//   timer->Enable(backoff.Next());  // 50..100 ms, then 100..200 ms, ...
//   backoff.Reset();                // after a successful connect
class Backoff {
 public:
  Backoff(absl::Duration initial, absl::Duration max, uint64_t seed);
  absl::Duration Next();
  void Reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  absl::Duration initial_;
  absl::Duration max_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace dbcache::loop

#endif  // DBCACHE_DAEMON_LOOP_BACKOFF_H_
