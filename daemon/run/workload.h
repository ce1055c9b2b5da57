#ifndef DBCACHE_DAEMON_RUN_WORKLOAD_H_
#define DBCACHE_DAEMON_RUN_WORKLOAD_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/run/load/key_distribution.h"
#include "daemon/run/load/key_sampler.h"

namespace dbcache::run {

// The demo's workload: each query is the configured SQL template with its one
// "{}" replaced by n in [1, keys], drawn under the run's distribution
// (uniform by default) from a seeded generator so that a run can be repeated
// exactly. The SQL never comes from a control message.
//
//   Workload w("SELECT a FROM t LIMIT {}", "reviews", "dbcache:", 75, seed);
//   w.Render(w.NextParameter(), &sql, &key);  // reuses the buffers' capacity
class Workload {
 public:
  Workload(std::string_view sql_template, std::string_view database,
           std::string_view prefix, int64_t keys, uint64_t seed,
           const KeyDistribution& distribution = KeyDistribution());

  int64_t NextParameter() { return sampler_.Next(); }
  // Writes the SQL for `n` and its cache key into reused buffers.
  void Render(int64_t n, std::string* sql, std::string* key) const;

 private:
  std::string head_;  // Template text before "{}".
  std::string tail_;  // After it.
  std::string database_;
  std::string prefix_;
  KeySampler sampler_;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_WORKLOAD_H_
