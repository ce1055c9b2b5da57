#ifndef DBCACHE_DAEMON_RUN_STAMPEDE_NAIVE_POLICY_H_
#define DBCACHE_DAEMON_RUN_STAMPEDE_NAIVE_POLICY_H_

#include "daemon/run/stampede/stampede_policy.h"

namespace dbcache::run {

// stampede=none: a miss always runs its own statement.
//
//   NaivePolicy policy(host);
//   policy.OnMiss(q);  // Load(q), then a miss
class NaivePolicy : public StampedePolicy {
 public:
  using StampedePolicy::StampedePolicy;
  void OnMiss(Query& q) override;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_STAMPEDE_NAIVE_POLICY_H_
