#ifndef DBCACHE_DAEMON_RUN_STAMPEDE_STAMPEDE_POLICY_H_
#define DBCACHE_DAEMON_RUN_STAMPEDE_STAMPEDE_POLICY_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "daemon/cache/codec.h"
#include "daemon/run/control_command.h"
#include "daemon/run/policy_host.h"
#include "daemon/run/query.h"

namespace dbcache::run {

// How an entry is stored by a policy: its Redis expiry, and whether (and with
// what soft expiry) it carries metadata (codec version 2).
struct StorePlan {
  uint64_t px_ms = 0;
  bool meta = false;
  uint64_t soft_ttl_ms = 0;
};

// What a hit and a miss do under one stampede strategy (`stampede=` of a run):
// the engine GETs every query's key and calls OnHit or OnMiss; the policy ends
// the query through its PolicyHost. One policy object per run; a strategy is
// one file and a row in MakeStampedePolicy's table.
//
//   std::unique_ptr<StampedePolicy> policy =
//       MakeStampedePolicy(Stampede::kCoalesce, host);
//   policy->OnMiss(query);  // loads it, or waits for the load under way
class StampedePolicy {
 public:
  explicit StampedePolicy(PolicyHost& host) : host_(host) {}
  virtual ~StampedePolicy() = default;

  // The GET found a valid entry; `meta` is its metadata if it has any.
  virtual void OnHit(Query& q, const std::optional<cache::EntryMeta>& meta) {
    (void)meta;
    host_.Hit(q);
  }
  // The GET found nothing usable.
  virtual void OnMiss(Query& q) = 0;
  virtual StorePlan Plan() const {
    return StorePlan{static_cast<uint64_t>(host_.params().ttl_ms), false, 0};
  }

 protected:
  // Runs q's own statement and ends it as a miss (or a DB error).
  void LoadAsMiss(Query& q, PolicyHost::Stored stored = nullptr);

  PolicyHost& host_;
};

std::unique_ptr<StampedePolicy> MakeStampedePolicy(Stampede stampede,
                                                   PolicyHost& host);

// Probabilistic early expiration (Vattani, Chierichetti and Lowenstein,
// "Optimal Probabilistic Cache Stampede Prevention", PVLDB 2015): recompute
// when now - delta * beta * ln(u) >= expiry, u uniform in (0, 1]. A pure
// function, so that the decision is tested with a seeded generator.
bool XFetchShouldRecompute(uint64_t now_ms, double delta_ms, double beta,
                           uint64_t expiry_ms, double u);

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_STAMPEDE_STAMPEDE_POLICY_H_
