#ifndef DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_CATALOG_H_
#define DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_CATALOG_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "daemon/run/workload/workload_spec.h"

namespace dbcache::run {

// The workloads a daemon can run: `demo`, built in from the configured SQL
// template, and those of the workload file, by name.
//
//   WorkloadCatalog catalog(settings.sql_template);
//   absl::Status added = catalog.Add(std::move(spec));  // name clash: error
//   const WorkloadSpec* w = catalog.Find("by_customer");  // null: unknown
class WorkloadCatalog {
 public:
  explicit WorkloadCatalog(std::string_view demo_sql_template);

  // Fails with InvalidArgument on a name already taken (demo included).
  absl::Status Add(WorkloadSpec spec);
  const WorkloadSpec* Find(std::string_view name) const;
  // In the order added, demo first.
  const std::vector<WorkloadSpec>& workloads() const { return workloads_; }
  // "demo, by_customer, ..." for errors.
  std::string Names() const;

 private:
  std::vector<WorkloadSpec> workloads_;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_CATALOG_H_
