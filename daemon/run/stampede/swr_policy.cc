// stampede=swr: see refreshing_policy.h.
#include "daemon/run/stampede/refreshing_policy.h"

namespace dbcache::run {

void SwrPolicy::OnHit(Query& q, const std::optional<cache::EntryMeta>& meta) {
  if (meta.has_value() && host_.WallMillis() >= meta->soft_expiry_ms()) {
    host_.run_stats().RecordStaleServed();
    MaybeRefresh(q);
  }
  host_.Hit(q);
}

StorePlan SwrPolicy::Plan() const {
  const RunParams& p = host_.params();
  const uint64_t ttl = static_cast<uint64_t>(p.ttl_ms);
  const uint64_t stale =
      static_cast<uint64_t>(p.stale_ms.has_value() ? *p.stale_ms : p.ttl_ms);
  return StorePlan{ttl + stale, true, ttl};
}

}  // namespace dbcache::run
