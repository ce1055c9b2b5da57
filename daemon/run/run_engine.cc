#include "daemon/run/run_engine.h"

#include <algorithm>
#include <random>

#include "daemon/cache/codec.h"
#include "daemon/common/log.h"
#include "daemon/common/str_cat.h"
#include "daemon/run/freshness/row_versions.h"
#include "daemon/run/load/ttl_jitter.h"

namespace dbcache::run {
namespace {

// A read whose statement answers no rows at all cannot be cached.
constexpr std::string_view kNoRowsMessage =
    "the statement returned no result set; a read must be a SELECT";

}  // namespace

RunEngine::RunEngine(loop::Scheduler& scheduler,
                     redis::RedisClient& cache_reader,
                     redis::RedisClient& primary,
                     mysql::MysqlExecutor& executor, EngineConfig config)
    : scheduler_(scheduler),
      cache_reader_(cache_reader),
      primary_(primary),
      executor_(executor),
      config_(std::move(config)),
      totals_(scheduler.WallNow()),
      schedule_timer_(scheduler.CreateTimer([this] { Pump(); })),
      second_delete_timer_(scheduler.CreateTimer([this] { SecondDeletes(); })) {
}

RunEngine::~RunEngine() = default;

absl::Status RunEngine::Start(const RunParams& params, std::string run_id) {
  WorkloadDomains domains(1);
  domains[0].push_back(ParamDomain::Range(1, EffectiveKeys(params)));
  return Start(params, std::move(run_id), DemoWorkload(config_.sql_template),
               std::move(domains));
}

absl::Status RunEngine::Start(const RunParams& params, std::string run_id,
                              const WorkloadSpec& workload,
                              WorkloadDomains domains) {
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
  workload_.emplace(workload, std::move(domains), effective.dist,
                    config_.database, config_.prefix, *effective.seed);
  // The policy's own draws (xfetch) come from a stream of their own, so that
  // the statements a seed gives do not depend on the strategy.
  rng_.seed(*effective.seed ^ 0x9e3779b97f4a7c15ull);
  // Likewise the expiries' jitter.
  jitter_rng_.seed(*effective.seed ^ 0xc2b2ae3d27d4eb4full);
  // And verify='s.
  verify_rng_.seed(*effective.seed ^ 0x165667b19e3779f9ull);
  ledger_.Clear();
  second_deletes_.clear();
  second_delete_timer_->Disable();
  unexplained_events_ = 0;
  const size_t slot_count = static_cast<size_t>(std::max<int64_t>(
      1, std::min<int64_t>(effective.concurrency, effective.queries)));
  if (slots_.size() != slot_count) slots_.resize(slot_count);
  free_slots_.clear();
  for (size_t i = slot_count; i > 0; --i) free_slots_.push_back(i - 1);
  for (Query& q : slots_) {
    q.seq = 0;
    // A retry timer refers to its slot's address, which resize() may move.
    q.retry_timer.reset();
    q.lock_token.clear();
  }
  in_flight_ = 0;
  pending_background_ = 0;
  max_in_flight_ = 0;
  consecutive_errors_ = 0;
  stopping_ = false;
  stop_state_ = RunState::kFinished;
  stop_reason_.clear();
  stats_.Begin(effective, std::move(run_id), scheduler_.WallNow(),
               scheduler_.NowNanos());
  stats_.SetWorkloadSummary(workload_->DistributionText(),
                            workload_->KeyCount());
  policy_ = MakeStampedePolicy(effective.stampede, *this);
  plan_ = policy_->Plan();
  px_text_ = StrCat(plan_.px_ms);
  schedule_.reset();
  scheduled_ = 0;
  behind_ = false;
  if (effective.rate > 0) {
    schedule_.emplace(scheduler_.NowNanos(),
                      static_cast<uint64_t>(effective.rate));
  }
  Pump();
  return absl::OkStatus();
}

void RunEngine::Cancel(std::string reason) {
  if (!running() || stopping_) return;
  stopping_ = true;
  stop_state_ = RunState::kCancelled;
  stop_reason_ = std::move(reason);
  schedule_timer_->Disable();
  // delete_twice's second deletes go now: a cancel should not wait for up to
  // delete_delay_ms, nor leave the keys they guard undeleted.
  for (SecondDelete& d : second_deletes_) d.due_ns = scheduler_.NowNanos();
  if (!second_deletes_.empty()) SecondDeletes();
  MaybeFinish();
}

void RunEngine::Abandon(RunState state, std::string reason) {
  if (!running()) return;
  ++generation_;  // Replies still due now belong to no run.
  // The queries still in flight end here, as errors of their own kind, so
  // that the record still adds up (issued = hits + misses + ... + errors).
  for (; in_flight_ > 0; --in_flight_) {
    stats_.RecordError(ErrorKind::kAbandoned, reason);
  }
  for (Query& q : slots_) {
    q.seq = 0;
    if (q.retry_timer != nullptr) q.retry_timer->Disable();
  }
  pending_background_ = 0;
  second_deletes_.clear();
  second_delete_timer_->Disable();
  Finish(state, std::move(reason));
}

void RunEngine::Pump() {
  if (!running() || stopping_) return;
  const uint64_t total = static_cast<uint64_t>(stats_.params().queries);
  if (!schedule_.has_value()) {
    // Closed loop: every free slot starts its next query now.
    while (!free_slots_.empty() && stats_.issued() < total && !stopping_) {
      const size_t slot = free_slots_.back();
      free_slots_.pop_back();
      Issue(slot, scheduler_.NowNanos());
    }
    return;
  }
  // Open loop: the queries whose time has come, as far as slots allow.
  const int64_t now = scheduler_.NowNanos();
  const uint64_t due = schedule_->DueBy(now, total);
  while (scheduled_ < due && !free_slots_.empty() && !stopping_) {
    const size_t slot = free_slots_.back();
    free_slots_.pop_back();
    const int64_t intended = schedule_->IntendedNs(scheduled_++);
    // Since the schedule last found every slot busy, queries start behind
    // it: each is counted late once, when it does start (a run stopped
    // meanwhile starts no more).
    if (behind_ && intended < now) stats_.RecordLateStart();
    Issue(slot, intended);
  }
  if (scheduled_ < due) {
    behind_ = true;
    return;  // A completion pumps again.
  }
  behind_ = false;
  if (scheduled_ < total && !stopping_) {
    schedule_timer_->Enable(
        absl::Nanoseconds(schedule_->IntendedNs(scheduled_) - now));
  }
}

void RunEngine::Issue(size_t slot, int64_t intended_ns) {
  Query& q = slots_[slot];
  stats_.RecordIssued();
  q.seq = stats_.issued();
  q.judge = q.verify = false;
  if (workload_->has_writes()) {
    q.version = NextVersion();
    q.write = workload_->IsWrite(workload_->Next(&q.sql, &q.key, q.version));
  } else {
    q.write = false;
    workload_->Next(&q.sql, &q.key);
  }
  const int64_t now = scheduler_.NowNanos();
  q.start_ns = now;
  q.intended_ns = std::min(intended_ns, now);
  q.attempts = 0;
  stats_.RecordIssueTime(now);
  ++in_flight_;
  max_in_flight_ = std::max(max_in_flight_, in_flight_);
  if (q.write) {
    Write(q);
    return;
  }
  if (!stats_.params().cache) {
    LoadUncached(q);
    return;
  }
  Get(q);
}

void RunEngine::Get(Query& q) {
  q.get_start_ns = scheduler_.NowNanos();
  const uint64_t seq = q.seq;
  const uint64_t generation = generation_;
  cache_reader_.Get(
      q.key, [this, &q, seq, generation](const redis::RedisReply& reply) {
        if (!Alive(q, seq, generation)) return;
        OnGet(q, reply);
      });
}

void RunEngine::OnGet(Query& q, const redis::RedisReply& reply) {
  if (reply.is_error() && reply.str().starts_with("WRONGTYPE")) {
    // Something else (a list, a hash) sits under our key: a foreign entry like
    // any other, so a miss whose PSETEX replaces it, not an error for ever.
    stats_.RecordCorrupt();
    stats_.expiries().OnMiss(q.key);
    policy_->OnMiss(q);
    return;
  }
  if (!reply.ok() || reply.is_error()) {
    Fail(q, ErrorKind::kCacheRead,
         StrCat("cache GET: ", reply.AsStatus().message()));
    return;
  }
  if (reply.is_string()) {
    // The checksum is enough for a hit whose rows nobody reads; walking every
    // cell of every hit cost a fifth of the hit path's instructions.
    absl::StatusOr<cache::EntryHeader> entry =
        cache::CheckResultSet(reply.str());
    if (entry.ok()) {
      // A read-only run never looks its keys up.
      q.judge = !ledger_.empty() && ledger_.Tracks(q.key);
      const int64_t verify_pct = stats_.params().verify_pct;
      q.verify = verify_pct > 0 && std::uniform_int_distribution<int64_t>(
                                       0, 99)(verify_rng_) < verify_pct;
      bool intact = true;
      if (q.judge || q.verify) {
        // Only the hits judged pay for decoding their rows, and the decode
        // checks the structure the checksum vouched for.
        absl::StatusOr<cache::ResultSet> rows =
            cache::DecodeResultSet(reply.str());
        intact = rows.ok();
        if (intact) {
          q.served_rows = *std::move(rows);
          q.served_versions = RowVersionsOf(q.served_rows);
        } else {
          q.judge = q.verify = false;
        }
      }
      if (intact) {
        stats_.expiries().OnHit(q.key);
        policy_->OnHit(q, entry->meta);
        return;
      }
    }
    // Corrupt or foreign: never served, counted, and overwritten by the miss
    // path.
    stats_.RecordCorrupt();
  }
  stats_.expiries().OnMiss(q.key);
  policy_->OnMiss(q);
}

void RunEngine::Hit(Query& q) {
  stats_.RecordCacheGet(
      static_cast<uint64_t>(scheduler_.NowNanos() - q.get_start_ns));
  if (q.judge || q.verify) Judge(q);
  Complete(q, Outcome::kHit);
}

void RunEngine::Judge(Query& q) {
  FreshnessStats& f = stats_.freshness();
  if (q.judge) {
    ++f.checked_reads;
    if (!q.served_versions.has_value()) {
      ++f.unversioned_reads;
    } else if (std::optional<int64_t> age = ledger_.StaleFor(
                   q.key, ledger_.AsOf(*q.served_versions), q.start_ns)) {
      ++f.stale_reads;
      f.staleness.Record(static_cast<uint64_t>(*age));
    }
  }
  if (q.verify) Verify(q);
}

void RunEngine::Verify(Query& q) {
  ++pending_background_;
  const uint64_t generation = generation_;
  executor_.Execute(q.sql, [this, generation, key = q.key, sql = q.sql,
                            served = std::move(q.served_rows),
                            versions = q.served_versions](
                               const absl::Status& status,
                               const mysql::QueryResult* result,
                               const mysql::QueryTiming&) {
    if (generation != generation_) return;
    --pending_background_;
    FreshnessStats& f = stats_.freshness();
    if (!status.ok() || !result->has_result_set()) {
      ++f.verify_errors;
      MaybeFinish();
      return;
    }
    std::string encoded;
    cache::ResultSetWriter writer(&encoded);
    result->EncodeTo(writer);
    absl::StatusOr<cache::ResultSet> fresh = cache::DecodeResultSet(encoded);
    ++f.verified;
    if (fresh.ok() && *fresh != served) {
      // A newer write explains the difference: one of this run to the
      // key after the rows' own, or any that moved the rows' versions (a
      // write before the run).
      const int64_t as_of = versions.has_value() ? ledger_.AsOf(*versions)
                                                 : VersionLedger::kBeforeAny;
      if (ledger_.Explains(key, as_of) || RowVersionsOf(*fresh) != versions) {
        ++f.verify_stale;
      } else {
        ++f.unexplained;
        if (++unexplained_events_ <= 10 && on_error_event_) {
          on_error_event_(
              "unexplained",
              StrCat("run ", stats_.run_id(),
                     ": the cache served rows "
                     "that differ from MySQL's and no write explains "
                     "them; key ",
                     key, ", sql: ", sql.substr(0, 200)));
        }
      }
    }
    MaybeFinish();
  });
}

uint64_t RunEngine::NextVersion() {
  // Larger than any version written before, by this run or an earlier one
  // (the clock), and than the last one (a clock that stands still).
  const auto now_us = static_cast<uint64_t>(
      std::max<int64_t>(0, absl::ToUnixMicros(scheduler_.WallNow())));
  last_version_ = std::max(last_version_ + 1, now_us);
  return last_version_;
}

void RunEngine::Write(Query& q) {
  q.affected_sql.clear();
  q.affected_keys.clear();
  workload_->AppendAffected(&q.affected_sql, &q.affected_keys);
  ledger_.Started(q.affected_keys, q.version);
  const uint64_t seq = q.seq;
  const uint64_t generation = generation_;
  executor_.Execute(q.sql, [this, &q, seq, generation](
                               const absl::Status& status,
                               const mysql::QueryResult*,
                               const mysql::QueryTiming& timing) {
    if (generation != generation_) return;
    stats_.RecordDbWrite(timing, status.ok());
    // A write waits for its own statement, so it is still the same one.
    if (!Alive(q, seq, generation)) return;
    if (!status.ok()) {
      ledger_.Failed(q.affected_keys, q.version);
      Fail(q, ErrorKind::kDbWrite, StrCat("write: ", AsStd(status.message())));
      return;
    }
    ledger_.Committed(q.affected_keys, q.version, scheduler_.NowNanos());
    Invalidate(q);
  });
}

void RunEngine::Invalidate(Query& q) {
  const run::Invalidate mode = stats_.params().invalidate;
  if (!stats_.params().cache || mode == Invalidate::kTtl ||
      q.affected_keys.empty()) {
    Complete(q, Outcome::kWrite);
    return;
  }
  const uint64_t seq = q.seq;
  const uint64_t generation = generation_;
  if (mode == Invalidate::kWriteThrough) {
    q.invalidations_left = q.affected_keys.size();
    for (size_t i = 0; i < q.affected_keys.size(); ++i) {
      Reload(q.affected_sql[i], q.affected_keys[i],
             [this, &q, seq, generation](bool ok) {
               FreshnessStats& f = stats_.freshness();
               ++(ok ? f.invalidations : f.invalidation_errors);
               if (!Alive(q, seq, generation)) return;
               if (--q.invalidations_left == 0) Complete(q, Outcome::kWrite);
             });
    }
    return;
  }
  if (mode == Invalidate::kDeleteTwice) {
    const int64_t due = scheduler_.NowNanos() +
                        stats_.params().delete_delay_ms * int64_t{1'000'000};
    ++pending_background_;
    second_deletes_.push_back(SecondDelete{due, q.affected_keys});
    if (second_deletes_.size() == 1) {
      second_delete_timer_->Enable(
          absl::Milliseconds(stats_.params().delete_delay_ms));
    }
  }
  Delete(q.affected_keys, [this, &q, seq, generation](bool) {
    if (Alive(q, seq, generation)) Complete(q, Outcome::kWrite);
  });
}

void RunEngine::Delete(const std::vector<std::string>& keys,
                       absl::AnyInvocable<void(bool ok)> done) {
  std::vector<std::string_view> argv;
  argv.reserve(keys.size() + 1);
  argv.push_back("DEL");
  for (const std::string& key : keys) argv.push_back(key);
  const uint64_t generation = generation_;
  primary_.CommandArgv(
      argv, [this, generation, count = keys.size(),
             done = std::move(done)](const redis::RedisReply& reply) mutable {
        if (generation != generation_) return;
        const bool ok = reply.ok() && !reply.is_error();
        FreshnessStats& f = stats_.freshness();
        (ok ? f.invalidations : f.invalidation_errors) += count;
        done(ok);
      });
}

void RunEngine::SecondDeletes() {
  const int64_t now = scheduler_.NowNanos();
  while (!second_deletes_.empty() && second_deletes_.front().due_ns <= now) {
    Delete(second_deletes_.front().keys, [this](bool) {
      --pending_background_;
      MaybeFinish();
    });
    second_deletes_.pop_front();
  }
  if (second_deletes_.empty()) {
    second_delete_timer_->Disable();
  } else {
    second_delete_timer_->Enable(
        absl::Nanoseconds(second_deletes_.front().due_ns - now));
  }
}

void RunEngine::Complete(Query& q, Outcome outcome) {
  const int64_t now = scheduler_.NowNanos();
  const auto total = static_cast<uint64_t>(now - q.start_ns);
  stats_.Complete(outcome, total, static_cast<uint64_t>(now - q.intended_ns),
                  now);
  if (outcome != Outcome::kError) consecutive_errors_ = 0;
  stats_.AddLog(q.seq, q.sql, outcome, total);
  Release(q);
}

void RunEngine::Fail(Query& q, ErrorKind kind, std::string_view message) {
  stats_.RecordError(kind, message);
  ++consecutive_errors_;
  if (consecutive_errors_ == 1) {
    LogWarning("run %s: query %d failed: %s", stats_.run_id(), q.seq, message);
  }
  if (consecutive_errors_ >= config_.max_consecutive_errors && !stopping_) {
    LogError("run %s: %d queries failed in a row; stopping: %s",
             stats_.run_id(), consecutive_errors_, message);
    stopping_ = true;
    stop_state_ = RunState::kFailed;
    stop_reason_ = StrCat(consecutive_errors_,
                          " queries failed in a row; last error: ", message);
    schedule_timer_->Disable();
  }
  Complete(q, Outcome::kError);
}

void RunEngine::Release(Query& q) {
  q.seq = 0;  // Any reply still due for it is stale from here on.
  // A lock a failed query still held expires on its own.
  q.lock_token.clear();
  if (q.retry_timer != nullptr) q.retry_timer->Disable();
  --in_flight_;
  free_slots_.push_back(static_cast<size_t>(&q - slots_.data()));
  Pump();
  MaybeFinish();
}

void RunEngine::Load(Query& q, Loaded loaded, Stored stored) {
  stats_.expiries().OnLoadStart(q.key);
  const uint64_t seq = q.seq;
  const uint64_t generation = generation_;
  executor_.Execute(
      q.sql, [this, &q, seq, generation, loaded = std::move(loaded),
              stored = std::move(stored)](
                 const absl::Status& status, const mysql::QueryResult* result,
                 const mysql::QueryTiming& timing) mutable {
        if (generation != generation_) return;
        const bool rows = status.ok() && result->has_result_set();
        stats_.RecordDb(timing, rows);
        // A query waits for its own load, so it is still the same one here.
        if (!Alive(q, seq, generation)) return;
        if (!rows) {
          stats_.expiries().OnLoadEnd(q.key);
          loaded(false, status.ok() ? kNoRowsMessage : AsStd(status.message()));
          return;
        }
        // The fill goes out before the query ends: its slot, and q.value,
        // may serve the next query as soon as it does (hiredis has copied
        // the arguments by then).
        Store(q.key, &q.value, *result, timing,
              [this, key = q.key, stored = std::move(stored)](bool ok) mutable {
                stats_.expiries().OnLoadEnd(key);
                if (stored) stored(ok);
              });
        loaded(true, "");
      });
}

void RunEngine::LoadUncached(Query& q) {
  const uint64_t seq = q.seq;
  const uint64_t generation = generation_;
  executor_.Execute(
      q.sql, [this, &q, seq, generation](const absl::Status& status,
                                         const mysql::QueryResult* result,
                                         const mysql::QueryTiming& timing) {
        if (generation != generation_) return;
        const bool rows = status.ok() && result->has_result_set();
        stats_.RecordDb(timing, rows);
        if (!Alive(q, seq, generation)) return;
        if (rows) {
          Complete(q, Outcome::kMiss);
        } else {
          Fail(q, ErrorKind::kDb,
               status.ok() ? kNoRowsMessage : AsStd(status.message()));
        }
      });
}

void RunEngine::Store(std::string_view key, std::string* value,
                      const mysql::QueryResult& result,
                      const mysql::QueryTiming& timing,
                      absl::AnyInvocable<void(bool ok)> done) {
  cache::ResultSetWriter writer(value);
  uint64_t px_ms = plan_.px_ms;
  uint64_t soft_ttl_ms = plan_.soft_ttl_ms;
  const int64_t jitter_pct = stats_.params().ttl_jitter_pct;
  if (jitter_pct > 0) {
    // One draw for both expiries, so that swr's soft expiry keeps its place
    // inside the hard one.
    const double u = std::generate_canonical<double, 53>(jitter_rng_);
    px_ms = JitteredMs(px_ms, jitter_pct, u);
    soft_ttl_ms = JitteredMs(soft_ttl_ms, jitter_pct, u);
  }
  if (plan_.meta) {
    writer.SetMeta(cache::EntryMeta{
        WallMillis(), px_ms, soft_ttl_ms,
        static_cast<uint64_t>(std::max<int64_t>(0, timing.exec_ns / 1000))});
  }
  result.EncodeTo(writer);
  const int64_t fill_start = scheduler_.NowNanos();
  const uint64_t generation = generation_;
  ++pending_background_;
  stats_.RecordFillSent();
  if (jitter_pct > 0) px_text_ = StrCat(px_ms);
  primary_.Command({"PSETEX", key, px_text_, *value},
                   [this, fill_start, generation, done = std::move(done)](
                       const redis::RedisReply& r) mutable {
                     if (generation != generation_) return;
                     --pending_background_;
                     const bool ok = r.ok() && !r.is_error();
                     if (ok) {
                       stats_.RecordFill(static_cast<uint64_t>(
                           scheduler_.NowNanos() - fill_start));
                     } else {
                       stats_.RecordFillError(
                           StrCat("cache fill: ", r.AsStatus().message()));
                     }
                     done(ok);
                     // The run's record is final only once its last fill has
                     // answered.
                     MaybeFinish();
                   });
}

void RunEngine::Refresh(std::string_view sql, std::string_view key,
                        absl::AnyInvocable<void(bool ok)> done) {
  stats_.RecordRefresh();
  Reload(sql, key, std::move(done));
}

void RunEngine::Reload(std::string_view sql, std::string_view key,
                       absl::AnyInvocable<void(bool ok)> done) {
  ++pending_background_;
  const uint64_t generation = generation_;
  executor_.Execute(
      sql, [this, generation, key = std::string(key), done = std::move(done)](
               const absl::Status& status, const mysql::QueryResult* result,
               const mysql::QueryTiming& timing) mutable {
        if (generation != generation_) return;
        --pending_background_;
        stats_.RecordDb(timing, status.ok());
        if (!status.ok() || !result->has_result_set()) {
          done(false);
          MaybeFinish();
          return;
        }
        std::string value;
        Store(key, &value, *result, timing, std::move(done));
      });
}

void RunEngine::RetryGet(Query& q, absl::Duration delay) {
  if (q.retry_timer == nullptr) {
    // Disabled whenever its query ends, so it only ever fires for a live one.
    q.retry_timer = scheduler_.CreateTimer([this, &q] {
      ++q.attempts;
      Get(q);
    });
  }
  q.retry_timer->Enable(delay);
}

void RunEngine::PrimaryCommand(Query& q,
                               std::initializer_list<std::string_view> argv,
                               redis::ReplyCallback callback) {
  const uint64_t seq = q.seq;
  const uint64_t generation = generation_;
  primary_.Command(argv,
                   [this, &q, seq, generation, callback = std::move(callback)](
                       const redis::RedisReply& reply) mutable {
                     if (!Alive(q, seq, generation)) return;
                     callback(reply);
                   });
}

void RunEngine::PrimaryCommand(std::initializer_list<std::string_view> argv,
                               redis::ReplyCallback callback) {
  primary_.Command(argv, std::move(callback));
}

uint64_t RunEngine::WallMillis() const {
  return static_cast<uint64_t>(
      std::max<int64_t>(0, absl::ToUnixMillis(scheduler_.WallNow())));
}

double RunEngine::Uniform01() {
  // (0, 1]: ln(u) must be finite.
  return 1.0 - std::generate_canonical<double, 53>(rng_);
}

void RunEngine::MaybeFinish() {
  if (!running() || in_flight_ > 0 || pending_background_ > 0) return;
  if (!stopping_ &&
      stats_.issued() < static_cast<uint64_t>(stats_.params().queries)) {
    return;
  }
  Finish(stop_state_, stop_reason_);
}

void RunEngine::Finish(RunState state, std::string reason) {
  schedule_timer_->Disable();
  stats_.End(state, std::move(reason), scheduler_.WallNow(),
             scheduler_.NowNanos());
  totals_.AddRun(stats_);
  if (on_finished_) on_finished_(stats_);
}

}  // namespace dbcache::run
