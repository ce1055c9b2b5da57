#ifndef DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_PREPARER_H_
#define DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_PREPARER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "daemon/mysql/mysql_executor.h"
#include "daemon/run/control_command.h"
#include "daemon/run/workload/param_domain.h"
#include "daemon/run/workload/workload_spec.h"

namespace dbcache::run {

// Each statement's parameters' values, domains[statement][param].
using WorkloadDomains = std::vector<std::vector<ParamDomain>>;

// Resolves a workload's parameter values at run start: ranges at once, and
// each sample by running its SELECT on MySQL (one query per distinct SQL),
// then cuts every domain to the run's keys=. A sample that fails, returns
// no values or a value unsafe as an SQL literal fails the preparation with
// an error naming the statement and parameter.
//
//   preparer.Prepare(*spec, params, [](absl::StatusOr<WorkloadDomains> d) {
//     if (d.ok()) engine.Start(params, id, *spec, *std::move(d));
//   });
class WorkloadPreparer {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<WorkloadDomains>)>;

  explicit WorkloadPreparer(mysql::MysqlExecutor& executor);
  // Answers still due are dropped.
  ~WorkloadPreparer();

  // One preparation at a time; a new one drops the last. `done` runs once,
  // from the loop, or inside Prepare when nothing has to be read. `spec`
  // must outlive the preparation.
  void Prepare(const WorkloadSpec& spec, const RunParams& params, Done done);
  // Drops the preparation in progress: `done` is not called.
  void Cancel();
  bool busy() const { return done_ != nullptr; }

  // The rows a sample may return at most: more is a mistake in the file,
  // not a workload (keys= is at most a million too).
  static constexpr uint64_t kMaxSampleRows = 1'000'000;

 private:
  void ReadNext();
  void Finish();
  void Fail(absl::Status status);

  mysql::MysqlExecutor& executor_;
  const WorkloadSpec* spec_ = nullptr;
  RunParams params_;
  Done done_;
  // Distinct sample SQL texts, and what each read.
  std::map<std::string, absl::StatusOr<ParamDomain>> samples_;
  std::map<std::string, absl::StatusOr<ParamDomain>>::iterator next_;
  // Replies carry the generation they were sent in; Cancel and the
  // destructor move it on.
  std::shared_ptr<uint64_t> generation_ = std::make_shared<uint64_t>(0);
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_WORKLOAD_WORKLOAD_PREPARER_H_
