#ifndef DBCACHE_DAEMON_RUN_RUN_STATS_H_
#define DBCACHE_DAEMON_RUN_RUN_STATS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "daemon/run/control_command.h"
#include "daemon/run/histogram.h"

namespace dbcache::run {

enum class RunState { kNone, kRunning, kFinished, kCancelled, kFailed };
std::string_view RunStateName(RunState state);

enum class Outcome { kHit, kMiss, kError };
std::string_view OutcomeName(Outcome outcome);

// Why a query failed; every failed query has exactly one kind, so the kinds
// add up to errors(). A failed cache fill is not among them: its query was
// served from MySQL (fill_errors()).
enum class ErrorKind { kCacheRead = 0, kDb, kAbandoned, kCount };
std::string_view ErrorKindName(ErrorKind kind);

// One line of the recent-query log (dbcache:log).
struct LogEntry {
  uint64_t seq = 0;
  std::string sql;
  Outcome outcome = Outcome::kHit;
  double latency_us = 0;
};

// Everything measured about one run, kept in memory (fixed size: the histograms
// and a ring of the last kLogSize queries) and turned into JSON for
// dbcache:stats only when a snapshot is published, never per query.
//
//   stats.Begin(params, "r42", scheduler.WallNow(), scheduler.NowNanos());
//   stats.RecordHit(get_ns);  ...  stats.AddLog(seq, sql, Outcome::kHit,
//   total_ns); std::string json = SnapshotJson(stats, now_ns, wall_now,
//   /*histograms=*/true);
class RunStats {
 public:
  static constexpr size_t kLogSize = 25;

  void Begin(const RunParams& params, std::string run_id, absl::Time wall_start,
             int64_t start_ns);
  void End(RunState state, std::string reason, absl::Time wall_end,
           int64_t end_ns);

  void RecordIssued() { ++issued_; }
  void RecordHit(uint64_t get_ns, uint64_t total_ns);
  void RecordMiss(uint64_t db_ns, uint64_t total_ns);
  void RecordError(ErrorKind kind, std::string_view message);
  void RecordCorrupt() { ++corrupt_entries_; }
  void RecordFill(uint64_t fill_ns) { cache_fill_.Record(fill_ns); }
  void RecordFillError(std::string_view message);
  void AddLog(uint64_t seq, std::string_view sql, Outcome outcome,
              uint64_t latency_ns);

  const RunParams& params() const { return params_; }
  const std::string& run_id() const { return run_id_; }
  RunState state() const { return state_; }
  const std::string& reason() const { return reason_; }
  uint64_t issued() const { return issued_; }
  uint64_t done() const { return hits_ + misses_ + errors_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t errors() const { return errors_; }
  uint64_t errors(ErrorKind kind) const {
    return errors_by_kind_[static_cast<size_t>(kind)];
  }
  uint64_t fill_errors() const { return fill_errors_; }
  uint64_t corrupt_entries() const { return corrupt_entries_; }
  const std::string& last_error() const { return last_error_; }
  double last_hit_us() const { return last_hit_us_; }
  double last_miss_us() const { return last_miss_us_; }
  absl::Time wall_start() const { return wall_start_; }
  absl::Time wall_end() const { return wall_end_; }
  int64_t start_ns() const { return start_ns_; }
  int64_t end_ns() const { return end_ns_; }
  const LatencyHistogram& cache_hit() const { return cache_hit_; }
  const LatencyHistogram& db() const { return db_; }
  const LatencyHistogram& cache_fill() const { return cache_fill_; }
  const LatencyHistogram& end_to_end() const { return end_to_end_; }
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
  uint64_t errors_ = 0;
  std::array<uint64_t, static_cast<size_t>(ErrorKind::kCount)>
      errors_by_kind_{};
  uint64_t fill_errors_ = 0;
  uint64_t corrupt_entries_ = 0;
  std::string last_error_;
  double last_hit_us_ = 0;
  double last_miss_us_ = 0;
  LatencyHistogram cache_hit_;
  LatencyHistogram db_;
  LatencyHistogram cache_fill_;
  LatencyHistogram end_to_end_;
  std::array<LogEntry, kLogSize> log_;
  size_t log_next_ = 0;
  size_t log_count_ = 0;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_RUN_STATS_H_
