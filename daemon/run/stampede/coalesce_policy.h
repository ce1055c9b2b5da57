#ifndef DBCACHE_DAEMON_RUN_STAMPEDE_COALESCE_POLICY_H_
#define DBCACHE_DAEMON_RUN_STAMPEDE_COALESCE_POLICY_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "daemon/run/stampede/stampede_policy.h"

namespace dbcache::run {

// stampede=coalesce (the default; single flight): the first miss of a key
// loads it; every miss of the same key while that load and its fill are under
// way waits for the fill instead of running the statement again, and ends as
// `coalesced` (timed from its miss to the fill's answer). If the statement
// fails, the one DB error is the first query's, and each waiter fails with an
// error of kind `coalesced`. In one daemon only: across daemons, see
// stampede=lock.
//
//   CoalescePolicy policy(host);
//   policy.OnMiss(a);  // loads a.key
//   policy.OnMiss(b);  // same key: waits; coalesced once a's fill answers
class CoalescePolicy : public StampedePolicy {
 public:
  using StampedePolicy::StampedePolicy;
  void OnMiss(Query& q) override;

  // Keys being loaded, for tests.
  size_t flights() const { return flights_.size(); }

 private:
  struct Waiter {
    Query* query;
    uint64_t seq;
  };
  void EndFlight(const std::string& key, bool ok, std::string_view error);

  absl::flat_hash_map<std::string, std::vector<Waiter>> flights_;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_STAMPEDE_COALESCE_POLICY_H_
