#ifndef DBCACHE_DAEMON_RUN_LOAD_TTL_JITTER_H_
#define DBCACHE_DAEMON_RUN_LOAD_TTL_JITTER_H_

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace dbcache::run {

// An expiry spread by ttl_jitter_pct (the advice of AWS's caching whitepaper:
// keys filled together then do not expire together): `ms` scaled by
// 1 + pct/100 * (2u - 1) for u uniform in [0, 1), so the mean expiry stays
// `ms`, and at least 1 ms, as PSETEX needs.
//
//   JitteredMs(1000, 20, 0.0);  // 800
//   JitteredMs(1000, 20, 0.5);  // 1000
inline uint64_t JitteredMs(uint64_t ms, int64_t pct, double u) {
  const double scaled =
      static_cast<double>(ms) *
      (1.0 + static_cast<double>(pct) / 100.0 * (2.0 * u - 1.0));
  return std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(scaled)));
}

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_LOAD_TTL_JITTER_H_
