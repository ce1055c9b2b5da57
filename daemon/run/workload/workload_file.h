#ifndef DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_FILE_H_
#define DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_FILE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "daemon/run/workload/workload_catalog.h"

namespace dbcache::run {

// Reads a workload file (YAML) into a catalog that also holds the built-in
// demo. The file's shape:
//
//   workloads:
//     by_customer:
//       description: A customer's reviews, by the customer_id index.
//       statements:
//         - name: reviews_of_customer
//           weight: 1                 # optional, 1..1000000
//           sql: SELECT id, version FROM reviews WHERE customer_id = {c}
//           params:
//             c: {sample: SELECT DISTINCT customer_id FROM reviews,
//                 dist: zipf:0.99}   # or range: [1, 1000]; dist optional
//
// Every mistake is an InvalidArgument error that starts "FILE:LINE: " and
// names what is wrong: a YAML syntax error, an unknown or duplicate key (with
// the keys allowed there), a missing sql or parameter source, a placeholder
// with no parameter or a parameter the SQL does not use, a bad range or
// distribution, a name clash.
//
//   absl::StatusOr<WorkloadCatalog> catalog =
//       LoadWorkloadFile("/usr/share/dbcache/workloads.yaml", sql_template);
absl::StatusOr<WorkloadCatalog> LoadWorkloadFile(
    const std::string& path, std::string_view demo_sql_template);

// The same from text; `name` stands for the file in errors.
absl::StatusOr<WorkloadCatalog> ParseWorkloadFile(
    std::string_view text, std::string_view name,
    std::string_view demo_sql_template);

// The workload file a daemon reads when --workloads is not given: the
// installed one, or, for programs run from a build tree, the source tree's.
inline constexpr std::string_view kInstalledWorkloadFile =
    DBCACHE_INSTALLED_WORKLOADS;
inline constexpr std::string_view kSourceWorkloadFile =
    DBCACHE_SOURCE_WORKLOADS;

struct ConfiguredWorkloads {
  WorkloadCatalog catalog;
  std::string path;  // the file read; empty: none (the demo only)
};

// `path` empty: the first of kInstalledWorkloadFile and kSourceWorkloadFile
// that exists, or none (the demo only). Otherwise that file, which must
// exist.
absl::StatusOr<ConfiguredWorkloads> LoadConfiguredWorkloads(
    const std::string& path, std::string_view demo_sql_template);

// Largest workload file read, in bytes.
inline constexpr size_t kMaxWorkloadFileSize = 1 << 20;

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_FILE_H_
