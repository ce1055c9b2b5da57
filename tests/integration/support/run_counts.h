#ifndef DBCACHE_TESTS_INTEGRATION_SUPPORT_RUN_COUNTS_H_
#define DBCACHE_TESTS_INTEGRATION_SUPPORT_RUN_COUNTS_H_

#include "nlohmann/json.hpp"

namespace dbcache::testing {

// The identity every run keeps, whatever happened to it: each issued query
// ends as exactly one outcome (hit, miss, coalesced, error), so the outcomes
// add up to `issued` (less what is in flight), and `done`
// (which the daemon reports on its own) agrees. A run that has ended has
// nothing in flight, and one that finished issued every query it was asked
// for. Every test that runs queries checks its snapshots and summaries
// through this one function, so a new outcome is added here once.
//
//   nlohmann::json summary = WaitForEvent("run_finished")["summary"];
//   ExpectCountsAddUp(summary);
void ExpectCountsAddUp(const nlohmann::json& snapshot);

// The sum of the outcome counters of a snapshot or summary.
int64_t OutcomeSum(const nlohmann::json& snapshot);

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_INTEGRATION_SUPPORT_RUN_COUNTS_H_
