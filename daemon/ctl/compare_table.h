#ifndef DBCACHE_DAEMON_CTL_COMPARE_TABLE_H_
#define DBCACHE_DAEMON_CTL_COMPARE_TABLE_H_

#include <string>

#include "nlohmann/json.hpp"

namespace dbcache::ctl {

// A compare's record (<prefix>compares, the compare_finished event) as a
// table for people: the cache=off and cache=on runs side by side, and what
// the cache did to the workload.
//
//   compare c1: workload demo, 1000 queries at concurrency 1, seed 7
//                       cache=off     cache=on   effect
//   wall time             1210 ms        96 ms   12.60x faster
//   ...
std::string FormatCompareTable(const nlohmann::json& record);

}  // namespace dbcache::ctl

#endif  // DBCACHE_DAEMON_CTL_COMPARE_TABLE_H_
