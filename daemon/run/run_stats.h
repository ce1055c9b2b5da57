#ifndef DBCACHE_DAEMON_RUN_RUN_STATS_H_
#define DBCACHE_DAEMON_RUN_RUN_STATS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "daemon/mysql/mysql_executor.h"
#include "daemon/run/control_command.h"
#include "daemon/run/expiry_counts.h"
#include "daemon/run/freshness/freshness_stats.h"
#include "daemon/run/histogram.h"
#include "daemon/run/interval_series.h"
#include "daemon/run/outcome.h"

namespace dbcache::run {

enum class RunState { kNone, kRunning, kFinished, kCancelled, kFailed };
std::string_view RunStateName(RunState state);

std::string_view OutcomeName(Outcome outcome);

// Why a query failed; every failed query has exactly one kind, so the kinds
// add up to errors(). A failed cache fill is not among them: its query was
// served from MySQL (fill_errors()).
enum class ErrorKind {
  kCacheRead = 0,
  kDb,
  // The statement a coalesced query waited for failed: one DB error for the
  // statement, one of these for each query that waited on it.
  kCoalesced,
  kAbandoned,
  kDbWrite,  // a write statement that failed
  kCount
};
std::string_view ErrorKindName(ErrorKind kind);

// One line of the recent-query log (dbcache:log).
struct LogEntry {
  uint64_t seq = 0;
  std::string sql;
  Outcome outcome = Outcome::kHit;
  double latency_us = 0;
};

// Everything measured about one run, kept in memory (fixed size: the
// histograms, the per-interval series and a ring of the last kLogSize queries)
// and turned into JSON for dbcache:stats only when a snapshot is published,
// never per query.
//
// Latency sources, each its own histogram: cache_hit (the GET of a hit), db
// (a statement on its connection), db_connect (a reconnect a statement waited
// for), pool_wait (waiting for a free connection), cache_fill (the PSETEX),
// coalesced (a query waiting for another's statement), db_write (a write
// statement on its connection), end_to_end (a query
// from its start: the service time) and response (from its intended start:
// the same in a closed loop, plus any wait for a free slot in an open one).
//
//   stats.Begin(params, "r42", scheduler.WallNow(), scheduler.NowNanos());
//   stats.RecordCacheGet(get_ns);
//   stats.Complete(Outcome::kHit, total_ns, response_ns,
//                  scheduler.NowNanos());
//   std::string json = RunJson(stats, context).dump();
class RunStats {
 public:
  static constexpr size_t kLogSize = 25;

  void Begin(const RunParams& params, std::string run_id, absl::Time wall_start,
             int64_t start_ns);
  void End(RunState state, std::string reason, absl::Time wall_end,
           int64_t end_ns);

  // What the run's workload draws from, as the snapshot reports it (Begin
  // sets the demo's: the run's dist, or uniform, over EffectiveKeys).
  void SetWorkloadSummary(std::string dist, int64_t keys) {
    dist_text_ = std::move(dist);
    key_count_ = keys;
  }
  const std::string& dist_text() const { return dist_text_; }
  int64_t key_count() const { return key_count_; }

  void RecordIssued() { ++issued_; }
  // A query ended at now_ns (monotonic, the clock of Begin's start_ns) with
  // `outcome` after `total_ns` (from its actual start) and `response_ns` (from
  // its intended start). An error's kind and message go through RecordError
  // first.
  void Complete(Outcome outcome, uint64_t total_ns, uint64_t response_ns,
                int64_t now_ns);
  void RecordError(ErrorKind kind, std::string_view message);

  void RecordCacheGet(uint64_t get_ns) { cache_hit_.Record(get_ns); }
  // A statement that ran (successfully or not) on MySQL.
  void RecordDb(const mysql::QueryTiming& timing, bool ok);
  // A write statement: its own count and time, apart from the reads'.
  void RecordDbWrite(const mysql::QueryTiming& timing, bool ok);
  void RecordFill(uint64_t fill_ns) { cache_fill_.Record(fill_ns); }
  void RecordFillError(std::string_view message);
  void RecordFillSent() { ++fills_; }
  void RecordCoalescedWait(uint64_t wait_ns) {
    coalesced_wait_.Record(wait_ns);
  }
  void RecordCorrupt() { ++corrupt_entries_; }
  void RecordLockWait() { ++lock_waits_; }
  void RecordLockError() { ++lock_errors_; }
  void RecordEarlyRefresh() { ++early_refreshes_; }
  void RecordStaleServed() { ++stale_served_; }
  void RecordRefresh() { ++refreshes_; }
  void RecordLateStart() { ++late_starts_; }
  void RecordIssueTime(int64_t ns);
  ExpiryCounts& expiries() { return expiries_; }
  FreshnessStats& freshness() { return freshness_; }

  void AddLog(uint64_t seq, std::string_view sql, Outcome outcome,
              uint64_t latency_ns);

  const RunParams& params() const { return params_; }
  const std::string& run_id() const { return run_id_; }
  RunState state() const { return state_; }
  const std::string& reason() const { return reason_; }
  uint64_t issued() const { return issued_; }
  uint64_t done() const {
    return hits_ + misses_ + coalesced_ + writes_ + errors_;
  }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t coalesced() const { return coalesced_; }
  uint64_t writes() const { return writes_; }
  uint64_t errors() const { return errors_; }
  uint64_t errors(ErrorKind kind) const {
    return errors_by_kind_[static_cast<size_t>(kind)];
  }
  // Statements sent to MySQL: the misses', refreshes and lock holders'.
  uint64_t db_queries() const { return db_queries_; }
  uint64_t db_errors() const { return db_errors_; }
  // Write statements sent to MySQL, and those that failed.
  uint64_t db_writes() const { return db_writes_; }
  uint64_t db_write_errors() const { return db_write_errors_; }
  uint64_t fills() const { return fills_; }
  uint64_t fill_errors() const { return fill_errors_; }
  uint64_t corrupt_entries() const { return corrupt_entries_; }
  uint64_t lock_waits() const { return lock_waits_; }
  uint64_t lock_errors() const { return lock_errors_; }
  uint64_t early_refreshes() const { return early_refreshes_; }
  uint64_t stale_served() const { return stale_served_; }
  uint64_t refreshes() const { return refreshes_; }
  uint64_t late_starts() const { return late_starts_; }
  const ExpiryCounts& expiries() const { return expiries_; }
  const FreshnessStats& freshness() const { return freshness_; }
  // Queries issued per second between the first and the last issue; 0 until
  // two were issued.
  double IssueRate() const;
  const std::string& last_error() const { return last_error_; }
  double last_hit_us() const { return last_hit_us_; }
  double last_miss_us() const { return last_miss_us_; }
  absl::Time wall_start() const { return wall_start_; }
  absl::Time wall_end() const { return wall_end_; }
  int64_t start_ns() const { return start_ns_; }
  int64_t end_ns() const { return end_ns_; }
  const LatencyHistogram& cache_hit() const { return cache_hit_; }
  const LatencyHistogram& db() const { return db_; }
  const LatencyHistogram& db_connect() const { return db_connect_; }
  const LatencyHistogram& pool_wait() const { return pool_wait_; }
  const LatencyHistogram& cache_fill() const { return cache_fill_; }
  const LatencyHistogram& coalesced_wait() const { return coalesced_wait_; }
  const LatencyHistogram& db_write() const { return db_write_; }
  const LatencyHistogram& end_to_end() const { return end_to_end_; }
  const LatencyHistogram& response() const { return response_; }
  // The run's completions per 100 ms interval, from start_ns.
  const IntervalSeries& series() const { return series_; }
  // Calls f(entry) newest first.
  template <typename F>
  void ForEachLog(F f) const {
    for (size_t i = 0; i < log_count_; ++i) {
      f(log_[(log_next_ + kLogSize - 1 - i) % kLogSize]);
    }
  }
  // mean DB time / mean cache-hit time; 0 until both are known.
  double Speedup() const;

 private:
  RunParams params_;
  std::string dist_text_ = "uniform";
  int64_t key_count_ = 0;
  std::string run_id_;
  RunState state_ = RunState::kNone;
  std::string reason_;
  absl::Time wall_start_ = absl::UnixEpoch();
  absl::Time wall_end_ = absl::UnixEpoch();
  int64_t start_ns_ = 0;
  int64_t end_ns_ = 0;
  uint64_t issued_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
  uint64_t coalesced_ = 0;
  uint64_t writes_ = 0;
  uint64_t errors_ = 0;
  std::array<uint64_t, static_cast<size_t>(ErrorKind::kCount)>
      errors_by_kind_{};
  uint64_t db_queries_ = 0;
  uint64_t db_errors_ = 0;
  uint64_t db_writes_ = 0;
  uint64_t db_write_errors_ = 0;
  uint64_t fills_ = 0;
  uint64_t fill_errors_ = 0;
  uint64_t corrupt_entries_ = 0;
  uint64_t lock_waits_ = 0;
  uint64_t lock_errors_ = 0;
  uint64_t early_refreshes_ = 0;
  uint64_t stale_served_ = 0;
  uint64_t refreshes_ = 0;
  uint64_t late_starts_ = 0;
  int64_t first_issue_ns_ = 0;
  int64_t last_issue_ns_ = 0;
  ExpiryCounts expiries_;
  FreshnessStats freshness_;
  std::string last_error_;
  double last_hit_us_ = 0;
  double last_miss_us_ = 0;
  LatencyHistogram cache_hit_;
  LatencyHistogram db_;
  LatencyHistogram db_connect_;
  LatencyHistogram pool_wait_;
  LatencyHistogram cache_fill_;
  LatencyHistogram coalesced_wait_;
  LatencyHistogram db_write_;
  LatencyHistogram end_to_end_;
  LatencyHistogram response_;
  IntervalSeries series_;
  std::array<LogEntry, kLogSize> log_;
  size_t log_next_ = 0;
  size_t log_count_ = 0;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_RUN_STATS_H_
