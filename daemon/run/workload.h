#ifndef DBCACHE_DAEMON_RUN_WORKLOAD_H_
#define DBCACHE_DAEMON_RUN_WORKLOAD_H_

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace dbcache::run {

// The demo's workload: each query is the configured SQL template with its one
// "{}" replaced by n, n uniform in [1, limit_max], from a seeded generator so
// that a run can be repeated exactly. The SQL never comes from a control
// message.
//
//   Workload w("SELECT a FROM t LIMIT {}", "reviews", "dbcache:", 75, seed);
//   w.Render(w.NextLimit(), &sql, &key);  // reuses the buffers' capacity
class Workload {
 public:
  Workload(std::string_view sql_template, std::string_view database,
           std::string_view prefix, int64_t limit_max, uint64_t seed);

  int64_t NextLimit() { return distribution_(rng_); }
  // Writes the SQL for `n` and its cache key into reused buffers.
  void Render(int64_t n, std::string* sql, std::string* key) const;

 private:
  std::string head_;  // Template text before "{}".
  std::string tail_;  // After it.
  std::string database_;
  std::string prefix_;
  std::mt19937_64 rng_;
  std::uniform_int_distribution<int64_t> distribution_;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_WORKLOAD_H_
