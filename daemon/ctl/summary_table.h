#ifndef DBCACHE_DAEMON_CTL_SUMMARY_TABLE_H_
#define DBCACHE_DAEMON_CTL_SUMMARY_TABLE_H_

#include <string>

#include "nlohmann/json.hpp"

namespace dbcache::ctl {

// The run summary a person reads at the end of `dbcachectl run --wait` and in
// `dbcachectl status`, from a summary as dbcached writes it (dbcache:runs):
//
//   run r42 finished: 1000 queries in 23.4 ms (42709 queries/s)
//   source          calls     p50 µs     p99 µs     max µs
//   cache hit         924        8.7       88.8      216.1
//   database           76       73.0     1491.5     1491.5
//   hits 924  misses 76  errors 0  hit ratio 92.4%  speed-up 8.0x
std::string FormatSummary(const nlohmann::json& summary);

}  // namespace dbcache::ctl

#endif  // DBCACHE_DAEMON_CTL_SUMMARY_TABLE_H_
