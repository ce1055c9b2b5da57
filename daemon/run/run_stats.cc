#include "daemon/run/run_stats.h"

namespace dbcache::run {

std::string_view RunStateName(RunState state) {
  switch (state) {
    case RunState::kNone:
      return "none";
    case RunState::kRunning:
      return "running";
    case RunState::kFinished:
      return "finished";
    case RunState::kCancelled:
      return "cancelled";
    case RunState::kFailed:
      return "failed";
  }
  return "unknown";
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kHit:
      return "hit";
    case Outcome::kMiss:
      return "miss";
    case Outcome::kCoalesced:
      return "coalesced";
    case Outcome::kError:
      return "error";
    case Outcome::kWrite:
      return "write";
  }
  return "unknown";
}

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kCacheRead:
      return "cache_read";
    case ErrorKind::kDb:
      return "db";
    case ErrorKind::kCoalesced:
      return "coalesced";
    case ErrorKind::kAbandoned:
      return "abandoned";
    case ErrorKind::kDbWrite:
      return "db_write";
    case ErrorKind::kCount:
      break;
  }
  return "unknown";
}

void RunStats::Begin(const RunParams& params, std::string run_id,
                     absl::Time wall_start, int64_t start_ns) {
  params_ = params;
  dist_text_ = KeyDistributionName(params.dist.value_or(KeyDistribution()));
  key_count_ = EffectiveKeys(params);
  run_id_ = std::move(run_id);
  state_ = RunState::kRunning;
  reason_.clear();
  wall_start_ = wall_start;
  wall_end_ = wall_start;
  start_ns_ = start_ns;
  end_ns_ = start_ns;
  issued_ = hits_ = misses_ = coalesced_ = writes_ = errors_ = 0;
  errors_by_kind_.fill(0);
  db_writes_ = db_write_errors_ = 0;
  freshness_.Reset();
  db_queries_ = db_errors_ = fills_ = fill_errors_ = corrupt_entries_ = 0;
  lock_waits_ = lock_errors_ = early_refreshes_ = stale_served_ = refreshes_ =
      late_starts_ = 0;
  first_issue_ns_ = last_issue_ns_ = 0;
  expiries_.Reset();
  last_error_.clear();
  last_hit_us_ = last_miss_us_ = 0;
  for (LatencyHistogram* h :
       {&cache_hit_, &db_, &db_connect_, &pool_wait_, &cache_fill_,
        &coalesced_wait_, &db_write_, &end_to_end_, &response_}) {
    h->Reset();
  }
  log_next_ = log_count_ = 0;
  series_.Begin(start_ns);
}

void RunStats::End(RunState state, std::string reason, absl::Time wall_end,
                   int64_t end_ns) {
  state_ = state;
  reason_ = std::move(reason);
  wall_end_ = wall_end;
  end_ns_ = end_ns;
  // Queries that ended without Complete (those Abandon counts as errors: they
  // have no latency) end in the last interval, so that the series adds up to
  // done.
  if (done() > series_.done()) {
    series_.RecordUntimed(end_ns, Outcome::kError, done() - series_.done());
  }
  series_.Finish(end_ns);
}

void RunStats::Complete(Outcome outcome, uint64_t total_ns,
                        uint64_t response_ns, int64_t now_ns) {
  switch (outcome) {
    case Outcome::kHit:
      ++hits_;
      last_hit_us_ = static_cast<double>(total_ns) / 1000.0;
      break;
    case Outcome::kMiss:
      ++misses_;
      last_miss_us_ = static_cast<double>(total_ns) / 1000.0;
      break;
    case Outcome::kCoalesced:
      ++coalesced_;
      break;
    case Outcome::kWrite:
      ++writes_;
      break;
    case Outcome::kError:
      // Counted by RecordError, with its kind.
      break;
  }
  end_to_end_.Record(total_ns);
  response_.Record(response_ns);
  series_.Record(now_ns, outcome, total_ns);
}

void RunStats::RecordError(ErrorKind kind, std::string_view message) {
  ++errors_;
  ++errors_by_kind_[static_cast<size_t>(kind)];
  last_error_.assign(message.data(), message.size());
}

void RunStats::RecordDb(const mysql::QueryTiming& timing, bool ok) {
  ++db_queries_;
  pool_wait_.Record(static_cast<uint64_t>(timing.wait_ns));
  if (timing.connected) {
    db_connect_.Record(static_cast<uint64_t>(timing.connect_ns));
  }
  if (ok) {
    db_.Record(static_cast<uint64_t>(timing.exec_ns));
  } else {
    ++db_errors_;
  }
}

void RunStats::RecordDbWrite(const mysql::QueryTiming& timing, bool ok) {
  ++db_writes_;
  pool_wait_.Record(static_cast<uint64_t>(timing.wait_ns));
  if (timing.connected) {
    db_connect_.Record(static_cast<uint64_t>(timing.connect_ns));
  }
  if (ok) {
    db_write_.Record(static_cast<uint64_t>(timing.exec_ns));
  } else {
    ++db_write_errors_;
  }
}

void RunStats::RecordFillError(std::string_view message) {
  // A failed fill does not fail the query (its rows were served from MySQL), so
  // it is counted apart from the per-query outcome.
  ++fill_errors_;
  last_error_.assign(message.data(), message.size());
}

void RunStats::RecordIssueTime(int64_t ns) {
  if (issued_ <= 1) first_issue_ns_ = ns;
  last_issue_ns_ = ns;
}

double RunStats::IssueRate() const {
  if (issued_ < 2 || last_issue_ns_ <= first_issue_ns_) return 0;
  return static_cast<double>(issued_ - 1) * 1e9 /
         static_cast<double>(last_issue_ns_ - first_issue_ns_);
}

void RunStats::AddLog(uint64_t seq, std::string_view sql, Outcome outcome,
                      uint64_t latency_ns) {
  LogEntry& entry = log_[log_next_];
  entry.seq = seq;
  entry.sql.assign(sql.data(), sql.size());  // Reuses the slot's capacity.
  entry.outcome = outcome;
  entry.latency_us = static_cast<double>(latency_ns) / 1000.0;
  log_next_ = (log_next_ + 1) % kLogSize;
  if (log_count_ < kLogSize) ++log_count_;
}

double RunStats::Speedup() const {
  if (cache_hit_.count() == 0 || db_.count() == 0 || cache_hit_.mean() <= 0) {
    return 0;
  }
  return db_.mean() / cache_hit_.mean();
}

}  // namespace dbcache::run
