#ifndef DBCACHE_DAEMON_RUN_OUTCOME_H_
#define DBCACHE_DAEMON_RUN_OUTCOME_H_

namespace dbcache::run {

// How a query ended. Every issued query ends as exactly one of these:
// hits + misses + coalesced + writes + errors = done. (Its own header so that
// the parts of RunStats can count outcomes; OutcomeName is in run_stats.h.)
enum class Outcome {
  kHit,        // served from the cache
  kMiss,       // served from MySQL by its own statement
  kCoalesced,  // served by another query's statement (it waited for it)
  kError,
  kWrite,  // a write statement that committed (and invalidated, if asked)
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_OUTCOME_H_
