#ifndef DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_SPEC_H_
#define DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_SPEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/run/load/key_distribution.h"
#include "daemon/run/workload/sql_template.h"

namespace dbcache::run {

// Where one parameter's values come from.
struct ParamSpec {
  enum class Source {
    kRange,     // lo..hi
    kSample,    // the first column of sample_sql, read at run start
    kLimitMax,  // 1..the run's limit_max: the demo's
  };
  std::string name;
  Source source = Source::kRange;
  int64_t lo = 1;
  int64_t hi = 1;
  std::string sample_sql;
  // Unset: uniform, unless the run's dist= says otherwise.
  std::optional<KeyDistribution> dist;
  int line = 0;  // in the workload file; 0 when built in

  bool operator==(const ParamSpec& other) const = default;
};

// A read statement that a write changes: the read's parameter p takes the
// value of the write's parameter write_params[p], so that the write knows the
// cache keys it makes stale.
struct AffectedRead {
  size_t read = 0;  // index in the workload's statements
  std::vector<size_t> write_params;

  bool operator==(const AffectedRead& other) const = default;
};

// In a write's SQL, the placeholder dbcached fills with a number larger than
// any version it wrote before: `SET ..., version = {version}`. Reads that
// select the version column then tell which writes their rows hold.
inline constexpr std::string_view kVersionPlaceholder = "version";

// One statement of a workload, picked with probability weight / sum of
// weights. A write (write: true) is never cached; it names the reads it
// affects, and its SQL sets the rows' version to {version} (its template's
// last slot, index params.size()).
struct StatementSpec {
  std::string name;
  int64_t weight = 1;
  std::string sql;  // as written, for errors and the page
  SqlTemplate sql_template;
  std::vector<ParamSpec> params;  // in the order they are declared
  bool write = false;
  std::vector<std::string> affects;    // as written
  std::vector<AffectedRead> affected;  // resolved, one per name in affects
  int line = 0;

  bool operator==(const StatementSpec& other) const = default;
};

// A named workload: what a run with workload=NAME asks MySQL.
//
//   const WorkloadSpec* spec = catalog.Find("by_customer");
//   for (const StatementSpec& s : spec->statements) Print(s.name, s.weight);
struct WorkloadSpec {
  std::string name;
  std::string description;
  std::vector<StatementSpec> statements;
  int line = 0;

  bool operator==(const WorkloadSpec& other) const = default;
};

// The demo as a workload: the configured template over 1..limit_max.
WorkloadSpec DemoWorkload(std::string_view sql_template);

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_SPEC_H_
