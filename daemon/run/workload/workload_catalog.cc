#include "daemon/run/workload/workload_catalog.h"

#include "daemon/common/str_cat.h"

namespace dbcache::run {

WorkloadCatalog::WorkloadCatalog(std::string_view demo_sql_template) {
  workloads_.push_back(DemoWorkload(demo_sql_template));
}

absl::Status WorkloadCatalog::Add(WorkloadSpec spec) {
  if (Find(spec.name) != nullptr) {
    return absl::InvalidArgumentError(
        spec.name == "demo"
            ? std::string("workload 'demo' is built in (the configured "
                          "--sql_template); give yours another name")
            : StrCat("workload '", spec.name, "' is defined twice"));
  }
  workloads_.push_back(std::move(spec));
  return absl::OkStatus();
}

const WorkloadSpec* WorkloadCatalog::Find(std::string_view name) const {
  for (const WorkloadSpec& w : workloads_) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

std::string WorkloadCatalog::Names() const {
  std::string names;
  for (const WorkloadSpec& w : workloads_) {
    StrAppend(&names, names.empty() ? "" : ", ", w.name);
  }
  return names;
}

}  // namespace dbcache::run
