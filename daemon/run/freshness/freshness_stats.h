#ifndef DBCACHE_DAEMON_RUN_FRESHNESS_FRESHNESS_STATS_H_
#define DBCACHE_DAEMON_RUN_FRESHNESS_FRESHNESS_STATS_H_

#include <cstdint>

#include "daemon/run/histogram.h"

namespace dbcache::run {

// What a run with writes measures about the freshness of what the cache
// served (version_ledger.h says how a read is judged stale).
//
//   stats.freshness().stale_reads += 1;
//   stats.freshness().staleness.Record(age_ns);
struct FreshnessStats {
  // Keys a committed write deleted or rewrote (invalidate=), and those
  // commands that failed.
  uint64_t invalidations = 0;
  uint64_t invalidation_errors = 0;
  // Hits of keys a write of this run affects, judged against the ledger;
  // those that were stale, and their age (time since the newer version
  // committed). Hits whose rows carry no version column cannot be judged.
  uint64_t checked_reads = 0;
  uint64_t stale_reads = 0;
  uint64_t unversioned_reads = 0;
  LatencyHistogram staleness;
  // verify=: hits re-read from MySQL, those whose rows differed and a newer
  // write explains (stale), those that differed with none to explain them
  // (unexplained: a wrong affects list, another writer, a bug), and re-reads
  // that failed.
  uint64_t verified = 0;
  uint64_t verify_stale = 0;
  uint64_t unexplained = 0;
  uint64_t verify_errors = 0;

  void Reset() {
    invalidations = invalidation_errors = checked_reads = stale_reads =
        unversioned_reads = verified = verify_stale = unexplained =
            verify_errors = 0;
    staleness.Reset();
  }
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_FRESHNESS_FRESHNESS_STATS_H_
