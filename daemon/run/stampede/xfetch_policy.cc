// stampede=xfetch: see refreshing_policy.h.
#include <cmath>

#include "daemon/run/stampede/refreshing_policy.h"

namespace dbcache::run {

bool XFetchShouldRecompute(uint64_t now_ms, double delta_ms, double beta,
                           uint64_t expiry_ms, double u) {
  // -ln(u) >= 0 for u in (0, 1]: the further from expiry, the larger the draw
  // must be; at or past expiry, always.
  const double early = delta_ms * beta * -std::log(u);
  return static_cast<double>(now_ms) + early >= static_cast<double>(expiry_ms);
}

void XFetchPolicy::OnHit(Query& q,
                         const std::optional<cache::EntryMeta>& meta) {
  if (meta.has_value() &&
      XFetchShouldRecompute(
          host_.WallMillis(), static_cast<double>(meta->delta_us) / 1000.0,
          host_.params().beta, meta->expiry_ms(), host_.Uniform01()) &&
      MaybeRefresh(q)) {
    host_.run_stats().RecordEarlyRefresh();
  }
  host_.Hit(q);
}

StorePlan XFetchPolicy::Plan() const {
  return StorePlan{static_cast<uint64_t>(host_.params().ttl_ms), true, 0};
}

}  // namespace dbcache::run
