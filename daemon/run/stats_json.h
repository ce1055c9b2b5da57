#ifndef DBCACHE_DAEMON_RUN_STATS_JSON_H_
#define DBCACHE_DAEMON_RUN_STATS_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "daemon/run/run_stats.h"
#include "nlohmann/json.hpp"

namespace dbcache::run {

class DaemonTotals;

// The JSON forms of a run that users read from Redis (dbcache:stats,
// dbcache:runs, dbcache:log, run_finished events). Field names are part of the
// user contract; the web page and dbcachectl read them. See README.md, "What
// dbcached writes".
//
//   std::string stats = RunJson(stats, {.now_ns = ..., .wall_now = ...,
//                                       .histograms = true}).dump();
struct SnapshotContext {
  int64_t now_ns = 0;   // Monotonic now, for a running run's wall time.
  absl::Time wall_now;  // For updated_at.
  std::string_view sql_template;
  bool histograms =
      false;  // Chart buckets: for dbcache:stats, not for summaries.
  // The per-interval figures (SeriesJson): for dbcache:stats, not for
  // summaries.
  bool series = false;
  int in_flight = 0;
  int max_in_flight = 0;
  // The daemon's totals since it started (daemon_totals): for dbcache:stats,
  // whose readers turn them into Prometheus counters; not for summaries.
  const DaemonTotals* totals = nullptr;
  // The compare the run is part of, and which of its runs ("off" or "on");
  // empty for a run of its own.
  std::string_view compare_id;
  std::string_view compare_role;
};

nlohmann::json RunJson(const RunStats& stats, const SnapshotContext& context);
nlohmann::json LatencyJson(const LatencyHistogram& histogram);
// The stampede strategy's counters, and the DB statements per key expiry.
nlohmann::json StampedeJson(const RunStats& stats);
// Closed or open loop, the target and achieved rates, late starts.
nlohmann::json LoadJson(const RunStats& stats);
// [[lower_us, upper_us, count], ...] in four buckets per doubling: enough for a
// chart.
nlohmann::json HistogramBucketsJson(const LatencyHistogram& histogram);
// The run's 100 ms intervals at now_ns (IntervalSeries::ForEachPoint), as
// {"interval_ms": 100, "dropped": N, "points": [point, ...]}, each point an
// array rather than an object to keep 600 of them small:
//   [t_ms, ms, done, hits, misses, coalesced, writes, errors, p50_us, p99_us]
// t_ms is the interval's start from the run's start (the first point's is
// dropped * 100), ms its width (100, less for a run's last), p50_us and p99_us
// the end-to-end latency quantiles of its queries, to 0.1 µs, null when none.
nlohmann::json SeriesJson(const IntervalSeries& series, int64_t now_ns);
nlohmann::json LogEntryJson(const LogEntry& entry, std::string_view run_id);
std::string FormatTimestamp(absl::Time time);
// json.dump() that never throws: bytes that are not UTF-8 (a server's error
// text can carry anything) are replaced with U+FFFD instead.
std::string DumpJson(const nlohmann::json& value);

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_STATS_JSON_H_
