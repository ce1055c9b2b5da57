#ifndef DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_H_
#define DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_H_

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/run/load/key_distribution.h"
#include "daemon/run/load/key_sampler.h"
#include "daemon/run/workload/param_domain.h"
#include "daemon/run/workload/workload_spec.h"

namespace dbcache::run {

// A run's stream of statements: each Next() picks a statement by weight,
// draws each of its parameters under its distribution (rank 1 the most
// asked for under a skewed one), and renders the SQL and its cache key into
// reused buffers. Everything is drawn from the run's seed, so a run repeats
// exactly; a one-statement workload draws no statement pick, and its first
// parameter uses the seed itself, so the demo's values are those it drew
// before workloads existed. The SQL comes from the workload, never from a
// control message.
//
//   Workload w("SELECT a FROM t LIMIT {}", "reviews", "dbcache:", 75, seed);
//   w.Next(&sql, &key);
class Workload {
 public:
  // The demo: the template's "{}" is n in [1, keys].
  Workload(std::string_view sql_template, std::string_view database,
           std::string_view prefix, int64_t keys, uint64_t seed,
           const KeyDistribution& distribution = KeyDistribution());
  // A named workload; domains[s][p] holds the values of statement s's
  // parameter p (already cut to the run's keys=). `dist`, when set, replaces
  // every parameter's own distribution.
  Workload(const WorkloadSpec& spec,
           std::vector<std::vector<ParamDomain>> domains,
           const std::optional<KeyDistribution>& dist,
           std::string_view database, std::string_view prefix, uint64_t seed);

  // Renders the next statement; returns its index. A write's key is empty
  // (writes are not cached) and its {version} is `version`.
  size_t Next(std::string* sql, std::string* key, uint64_t version = 0);
  bool IsWrite(size_t statement) const { return statements_[statement].write; }
  bool has_writes() const { return has_writes_; }
  // After Next() drew a write: the reads it affects, with the values it drew
  // (their SQL appended to *sqls, their cache keys to *keys).
  void AppendAffected(std::vector<std::string>* sqls,
                      std::vector<std::string>* keys) const;

  // The distinct reads (cache keys) it can render: the sum over its read
  // statements of the product of their parameters' value counts.
  int64_t KeyCount() const { return key_count_; }
  // The distribution every parameter uses, or "per parameter" when they
  // differ.
  const std::string& DistributionText() const { return dist_text_; }

 private:
  struct Param {
    ParamDomain domain;
    KeySampler sampler;
  };
  struct Statement {
    SqlTemplate sql;
    std::vector<Param> params;
    bool write = false;
    std::vector<AffectedRead> affected;
  };

  void Init(const WorkloadSpec& spec,
            std::vector<std::vector<ParamDomain>> domains,
            const std::optional<KeyDistribution>& dist, uint64_t seed);

  std::string database_;
  std::string prefix_;
  std::vector<Statement> statements_;
  std::vector<int64_t> cumulative_weights_;
  std::mt19937_64 pick_rng_;
  std::vector<int64_t> ranks_;  // reused by Next(): the last draw's values
  size_t last_ = 0;             // the last statement drawn
  bool has_writes_ = false;
  int64_t key_count_ = 0;
  std::string dist_text_;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_H_
