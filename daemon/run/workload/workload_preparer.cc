#include "daemon/run/workload/workload_preparer.h"

#include "daemon/cache/codec.h"
#include "daemon/common/str_cat.h"

namespace dbcache::run {

WorkloadPreparer::WorkloadPreparer(mysql::MysqlExecutor& executor)
    : executor_(executor) {}

WorkloadPreparer::~WorkloadPreparer() { ++*generation_; }

void WorkloadPreparer::Cancel() {
  ++*generation_;
  done_ = nullptr;
  samples_.clear();
}

void WorkloadPreparer::Prepare(const WorkloadSpec& spec,
                               const RunParams& params, Done done) {
  Cancel();
  spec_ = &spec;
  params_ = params;
  done_ = std::move(done);
  for (const StatementSpec& statement : spec.statements) {
    for (const ParamSpec& param : statement.params) {
      if (param.source == ParamSpec::Source::kSample) {
        samples_.emplace(param.sample_sql,
                         absl::UnknownError("sample not read"));
      }
    }
  }
  next_ = samples_.begin();
  ReadNext();
}

void WorkloadPreparer::ReadNext() {
  if (next_ == samples_.end()) {
    Finish();
    return;
  }
  const uint64_t generation = *generation_;
  std::weak_ptr<uint64_t> alive = generation_;
  executor_.Execute(
      next_->first, [this, generation, alive](const absl::Status& status,
                                              const mysql::QueryResult* result,
                                              const mysql::QueryTiming&) {
        const std::shared_ptr<uint64_t> current = alive.lock();
        if (current == nullptr || *current != generation) return;
        if (!status.ok()) {
          next_->second =
              absl::Status(status.code(), StrCat("MySQL: ", status.message()));
        } else if (result->row_count() > kMaxSampleRows) {
          next_->second = absl::InvalidArgumentError(
              StrCat("it returned ", result->row_count(), " rows (at most ",
                     kMaxSampleRows, ")"));
        } else {
          std::string bytes;
          cache::ResultSetWriter writer(&bytes);
          result->EncodeTo(writer);
          absl::StatusOr<cache::ResultSet> rows = cache::DecodeResultSet(bytes);
          if (!rows.ok()) {
            next_->second = rows.status();
          } else {
            std::vector<std::optional<std::string>> values;
            values.reserve(rows->rows.size());
            // The first column is the sample; any other is ignored.
            for (auto& row : rows->rows) {
              if (!row.empty()) values.push_back(std::move(row[0]));
            }
            next_->second = ParamDomain::FromSample(std::move(values));
          }
        }
        ++next_;
        ReadNext();
      });
}

void WorkloadPreparer::Finish() {
  WorkloadDomains domains;
  for (const StatementSpec& statement : spec_->statements) {
    std::vector<ParamDomain>& out = domains.emplace_back();
    for (const ParamSpec& param : statement.params) {
      ParamDomain domain;
      switch (param.source) {
        case ParamSpec::Source::kRange:
          domain = ParamDomain::Range(param.lo, param.hi);
          break;
        case ParamSpec::Source::kLimitMax:
          // The demo's keys= may go past limit_max (README).
          out.push_back(ParamDomain::Range(1, EffectiveKeys(params_)));
          continue;
        case ParamSpec::Source::kSample: {
          const absl::StatusOr<ParamDomain>& read =
              samples_.at(param.sample_sql);
          if (!read.ok()) {
            Fail(absl::Status(
                read.status().code(),
                StrCat("workload ", spec_->name, ", statement ", statement.name,
                       ", parameter ", param.name,
                       ": sample failed: ", read.status().message())));
            return;
          }
          domain = *read;
          break;
        }
      }
      if (params_.keys.has_value()) domain.Truncate(*params_.keys);
      out.push_back(std::move(domain));
    }
  }
  Done done = std::move(done_);
  done_ = nullptr;
  samples_.clear();
  done(std::move(domains));
}

void WorkloadPreparer::Fail(absl::Status status) {
  Done done = std::move(done_);
  done_ = nullptr;
  samples_.clear();
  done(std::move(status));
}

}  // namespace dbcache::run
