#ifndef DBCACHE_DAEMON_RUN_QUERY_H_
#define DBCACHE_DAEMON_RUN_QUERY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/cache/result_set.h"
#include "daemon/loop/scheduler.h"
#include "daemon/run/freshness/row_versions.h"

namespace dbcache::run {

// One query of a run, in one of the engine's slots (at most `concurrency` of
// them, reused from query to query so that the hot path does not allocate).
// A callback that outlives its query sees a different `seq` and does nothing.
struct Query {
  uint64_t seq = 0;  // 1-based within the run
  std::string sql;
  std::string key;
  std::string value;          // the encoded rows of a load, reused
  int64_t start_ns = 0;       // when it was issued
  int64_t intended_ns = 0;    // when it was meant to be (open loop; else start)
  int64_t get_start_ns = 0;   // the GET in flight
  int64_t wait_start_ns = 0;  // waiting for another's statement or lock
  int attempts = 0;           // GETs beyond the first (lock waiters)
  std::string lock_token;     // stampede=lock: the lock this query holds
  std::unique_ptr<loop::Timer> retry_timer;  // created on first use
  // A write: its version, and the reads it affects (their SQL and keys).
  bool write = false;
  uint64_t version = 0;
  std::vector<std::string> affected_sql;
  std::vector<std::string> affected_keys;
  size_t invalidations_left = 0;  // write_through's reloads still due
  // A hit to judge (its key is one a write affects, or verify= drew it):
  // the versions its rows hold, and the rows themselves to verify.
  bool judge = false;
  bool verify = false;
  std::optional<std::vector<uint64_t>> served_versions;
  cache::ResultSet served_rows;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_QUERY_H_
