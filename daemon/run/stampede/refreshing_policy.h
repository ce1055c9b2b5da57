#ifndef DBCACHE_DAEMON_RUN_STAMPEDE_REFRESHING_POLICY_H_
#define DBCACHE_DAEMON_RUN_STAMPEDE_REFRESHING_POLICY_H_

#include <string>

#include "absl/container/flat_hash_set.h"
#include "daemon/run/stampede/coalesce_policy.h"

namespace dbcache::run {

// The part xfetch and swr share: a hit may start a refresh of its key in the
// background (one at a time per key) while the query is served the cached
// value. Misses are coalesced.
class RefreshingPolicy : public CoalescePolicy {
 public:
  using CoalescePolicy::CoalescePolicy;

  // Keys being refreshed, for tests.
  size_t refreshing() const { return refreshing_.size(); }

 protected:
  // Starts a refresh of q's key unless one is under way; true if it started.
  bool MaybeRefresh(const Query& q);

 private:
  absl::flat_hash_set<std::string> refreshing_;
};

// stampede=xfetch: probabilistic early recomputation (XFetchShouldRecompute)
// with beta=, from the delta (the statement's time) and expiry stored with each
// entry. The recomputation runs in the background and the query is served the
// cached value, which is still valid: callers see hits where the entry would
// have expired (early_refreshes counts them).
//
//   XFetchPolicy policy(host);
//   policy.OnHit(q, meta);  // a hit; maybe a refresh of q.key too
class XFetchPolicy : public RefreshingPolicy {
 public:
  using RefreshingPolicy::RefreshingPolicy;
  void OnHit(Query& q, const std::optional<cache::EntryMeta>& meta) override;
  StorePlan Plan() const override;
};

// stampede=swr (stale-while-revalidate): an entry is fresh for ttl_ms and kept
// in Redis stale_ms longer (default: another ttl_ms). A hit on a stale entry
// is served (stale_served) while one refresh of the key runs.
//
//   SwrPolicy policy(host);
//   policy.OnHit(q, meta);  // stale: served, and refreshed in the background
class SwrPolicy : public RefreshingPolicy {
 public:
  using RefreshingPolicy::RefreshingPolicy;
  void OnHit(Query& q, const std::optional<cache::EntryMeta>& meta) override;
  StorePlan Plan() const override;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_STAMPEDE_REFRESHING_POLICY_H_
