#include "daemon/run/stampede/refreshing_policy.h"

namespace dbcache::run {

bool RefreshingPolicy::MaybeRefresh(const Query& q) {
  auto [it, inserted] = refreshing_.insert(q.key);
  if (!inserted) return false;
  std::string key = q.key;
  host_.Refresh(q.sql, q.key, [this, key](bool) { refreshing_.erase(key); });
  return true;
}

}  // namespace dbcache::run
