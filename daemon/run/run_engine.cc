#include "daemon/run/run_engine.h"

#include <algorithm>
#include <random>

#include "daemon/cache/codec.h"
#include "daemon/common/log.h"
#include "daemon/common/str_cat.h"

namespace dbcache::run {

RunEngine::RunEngine(loop::Scheduler& scheduler,
                     redis::RedisClient& cache_reader,
                     redis::RedisClient& primary,
                     mysql::MysqlExecutor& executor, EngineConfig config)
    : scheduler_(scheduler),
      cache_reader_(cache_reader),
      primary_(primary),
      executor_(executor),
      config_(std::move(config)) {}

absl::Status RunEngine::Start(const RunParams& params, std::string run_id) {
  if (running()) {
    return absl::FailedPreconditionError(
        StrCat("busy: run ", stats_.run_id(), " is going (", stats_.done(), "/",
               stats_.params().queries, "); send cancel first"));
  }
  ++generation_;
  RunParams effective = params;
  if (!effective.seed.has_value()) {
    // Recorded in the run's params so that any run can be repeated exactly.
    effective.seed =
        std::random_device{}() ^ static_cast<uint64_t>(scheduler_.NowNanos());
  }
  workload_.emplace(config_.sql_template, config_.database, config_.prefix,
                    effective.limit_max, *effective.seed);
  ttl_text_ = StrCat(effective.ttl_ms);
  const size_t slot_count = static_cast<size_t>(std::max<int64_t>(
      1, std::min<int64_t>(effective.concurrency, effective.queries)));
  if (slots_.size() != slot_count) slots_.resize(slot_count);
  in_flight_ = 0;
  pending_fills_ = 0;
  max_in_flight_ = 0;
  consecutive_errors_ = 0;
  stopping_ = false;
  stop_state_ = RunState::kFinished;
  stop_reason_.clear();
  stats_.Begin(effective, std::move(run_id), scheduler_.WallNow(),
               scheduler_.NowNanos());
  for (size_t i = 0; i < slot_count; ++i) Issue(i);
  return absl::OkStatus();
}

void RunEngine::Cancel(std::string reason) {
  if (!running() || stopping_) return;
  stopping_ = true;
  stop_state_ = RunState::kCancelled;
  stop_reason_ = std::move(reason);
  MaybeFinish();
}

void RunEngine::Abandon(RunState state, std::string reason) {
  if (!running()) return;
  ++generation_;  // Replies still due now belong to no run.
  // The queries still in flight end here, as errors of their own kind, so
  // that the record still adds up (issued = hits + misses + errors).
  for (; in_flight_ > 0; --in_flight_) {
    stats_.RecordError(ErrorKind::kAbandoned, reason);
  }
  pending_fills_ = 0;
  Finish(state, std::move(reason));
}

void RunEngine::Issue(size_t slot_index) {
  Slot& slot = slots_[slot_index];
  stats_.RecordIssued();
  slot.seq = stats_.issued();
  workload_->Render(workload_->NextLimit(), &slot.sql, &slot.key);
  slot.start_ns = scheduler_.NowNanos();
  ++in_flight_;
  max_in_flight_ = std::max(max_in_flight_, in_flight_);
  if (!stats_.params().cache) {
    StartDb(slot_index);
    return;
  }
  const uint64_t generation = generation_;
  cache_reader_.Command({"GET", slot.key}, [this, slot_index, generation](
                                               const redis::RedisReply& reply) {
    if (generation != generation_) return;
    OnGet(slot_index, reply);
  });
}

void RunEngine::OnGet(size_t slot_index, const redis::RedisReply& reply) {
  Slot& slot = slots_[slot_index];
  const int64_t now = scheduler_.NowNanos();
  if (reply.is_error() && reply.str().starts_with("WRONGTYPE")) {
    // Something else (a list, a hash) sits under our key: a foreign entry like
    // any other, so a miss whose PSETEX replaces it, not an error for ever.
    stats_.RecordCorrupt();
    StartDb(slot_index);
    return;
  }
  if (!reply.ok() || reply.is_error()) {
    FailQuery(slot_index, ErrorKind::kCacheRead,
              StrCat("cache GET: ", reply.AsStatus().message()));
    return;
  }
  if (reply.is_string()) {
    if (cache::ValidateResultSet(reply.str()).ok()) {
      const uint64_t ns = static_cast<uint64_t>(now - slot.start_ns);
      stats_.RecordHit(ns, ns);
      Complete(slot_index, Outcome::kHit, now);
      return;
    }
    // Corrupt or foreign: never served, counted, and overwritten by the miss
    // path.
    stats_.RecordCorrupt();
  }
  StartDb(slot_index);
}

void RunEngine::StartDb(size_t slot_index) {
  Slot& slot = slots_[slot_index];
  slot.db_start_ns = scheduler_.NowNanos();
  const uint64_t generation = generation_;
  executor_.Execute(slot.sql, [this, slot_index, generation](
                                  const absl::Status& status,
                                  const mysql::QueryResult* result) {
    if (generation != generation_) return;
    OnDb(slot_index, status, result);
  });
}

void RunEngine::OnDb(size_t slot_index, const absl::Status& status,
                     const mysql::QueryResult* result) {
  Slot& slot = slots_[slot_index];
  if (!status.ok()) {
    FailQuery(slot_index, ErrorKind::kDb, AsStd(status.message()));
    return;
  }
  const int64_t db_done = scheduler_.NowNanos();
  if (stats_.params().cache) {
    cache::ResultSetWriter writer(&slot.value);
    result->EncodeTo(writer);
    const int64_t fill_start = scheduler_.NowNanos();
    const uint64_t generation = generation_;
    ++pending_fills_;
    // hiredis copies the arguments into its output buffer here, so the slot's
    // buffers are free for the next query as soon as Command() returns.
    primary_.Command(
        {"PSETEX", slot.key, ttl_text_, slot.value},
        [this, fill_start, generation](const redis::RedisReply& r) {
          if (generation != generation_) return;
          --pending_fills_;
          if (!r.ok() || r.is_error()) {
            stats_.RecordFillError(
                StrCat("cache fill: ", r.AsStatus().message()));
          } else {
            stats_.RecordFill(
                static_cast<uint64_t>(scheduler_.NowNanos() - fill_start));
          }
          // The run's record is final only once its last fill has answered.
          MaybeFinish();
        });
  }
  const int64_t end = scheduler_.NowNanos();
  stats_.RecordMiss(static_cast<uint64_t>(db_done - slot.db_start_ns),
                    static_cast<uint64_t>(end - slot.start_ns));
  Complete(slot_index, Outcome::kMiss, end);
}

void RunEngine::FailQuery(size_t slot_index, ErrorKind kind,
                          std::string_view message) {
  stats_.RecordError(kind, message);
  ++consecutive_errors_;
  if (consecutive_errors_ == 1) {
    LogWarning("run %s: query %d failed: %s", stats_.run_id(),
               slots_[slot_index].seq, message);
  }
  if (consecutive_errors_ >= config_.max_consecutive_errors && !stopping_) {
    LogError("run %s: %d queries failed in a row; stopping: %s",
             stats_.run_id(), consecutive_errors_, message);
    stopping_ = true;
    stop_state_ = RunState::kFailed;
    stop_reason_ = StrCat(consecutive_errors_,
                          " queries failed in a row; last error: ", message);
  }
  Complete(slot_index, Outcome::kError, scheduler_.NowNanos());
}

void RunEngine::Complete(size_t slot_index, Outcome outcome, int64_t end_ns) {
  Slot& slot = slots_[slot_index];
  if (outcome != Outcome::kError) consecutive_errors_ = 0;
  stats_.AddLog(slot.seq, slot.sql, outcome,
                static_cast<uint64_t>(end_ns - slot.start_ns));
  --in_flight_;
  if (!stopping_ &&
      stats_.issued() < static_cast<uint64_t>(stats_.params().queries)) {
    Issue(slot_index);
    return;
  }
  MaybeFinish();
}

void RunEngine::MaybeFinish() {
  if (!running() || in_flight_ > 0 || pending_fills_ > 0) return;
  if (!stopping_ &&
      stats_.issued() < static_cast<uint64_t>(stats_.params().queries)) {
    return;
  }
  Finish(stop_state_, stop_reason_);
}

void RunEngine::Finish(RunState state, std::string reason) {
  stats_.End(state, std::move(reason), scheduler_.WallNow(),
             scheduler_.NowNanos());
  if (on_finished_) on_finished_(stats_);
}

}  // namespace dbcache::run
