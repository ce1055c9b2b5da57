#ifndef DBCACHE_WEB_MONOTONIC_CLOCK_H_
#define DBCACHE_WEB_MONOTONIC_CLOCK_H_

#include <chrono>

#include "absl/time/time.h"

namespace dbcache::web {

// A steady clock as an absl::Time, for intervals only (cache ages, rate
// limits, retry delays): the wall clock (absl::Now) steps when NTP or an
// operator sets it, and an interval timed across a step is wrong by the step,
// negative or hours long. Its origin is arbitrary: never print it as a date.
//
//   const absl::Time start = MonotonicNow();
//   ...
//   if (MonotonicNow() - start > absl::Seconds(1)) Retry();
inline absl::Time MonotonicNow() {
  return absl::UnixEpoch() +
         absl::FromChrono(std::chrono::steady_clock::now().time_since_epoch());
}

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_MONOTONIC_CLOCK_H_
