#ifndef DBCACHE_DAEMON_RUN_DAEMON_TOTALS_H_
#define DBCACHE_DAEMON_RUN_DAEMON_TOTALS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/time/time.h"
#include "daemon/run/histogram.h"
#include "daemon/run/run_stats.h"
#include "nlohmann/json.hpp"

namespace dbcache::run {

// What a daemon has done since it started, over every run. Prometheus counters
// must only go up for as long as a process lives (rate() reads a decrease as a
// restart), while RunStats starts from zero at every run: these totals are the
// finished runs' figures added up, plus the run going on when asked. Latency
// is kept as Prometheus-style buckets at fixed bounds (kBoundsSeconds), so
// that several daemons' histograms add up exactly.
//
//   DaemonTotals totals(scheduler.WallNow());
//   totals.AddRun(stats);  // once, when a run ends
//   nlohmann::json j = totals.Json(running ? &stats : nullptr);
class DaemonTotals {
 public:
  // Upper bounds (le) of the latency buckets, in seconds; +Inf is implied.
  static constexpr std::array<double, 19> kBoundsSeconds = {
      0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
      0.0025,  0.005,    0.01,    0.025,  0.05,    0.1,    0.25,
      0.5,     1,        2.5,     5,      10};
  // The latency sources, as RunJson's latency_us names them.
  static constexpr std::array<std::string_view, 9> kSources = {
      "cache_hit", "db",       "db_connect", "pool_wait", "cache_fill",
      "coalesced", "db_write", "end_to_end", "response"};

  explicit DaemonTotals(absl::Time started_at) : started_at_(started_at) {}

  // Adds a run that has ended. Call it once per run: the run's figures are
  // final from its End().
  void AddRun(const RunStats& run);

  // {"started_at", "runs", "queries": {hit, miss, coalesced, write, error},
  // "errors_by_kind", "db_queries", ..., "latency_le_seconds": [bounds],
  // "latency_seconds": {source: {"buckets": [cumulative counts, one per bound
  // and the last for +Inf], "sum", "count"}}}: the finished runs plus
  // `current` (a run still going, or nullptr).
  nlohmann::json Json(const RunStats* current) const;

 private:
  struct Latency {
    // counts[i]: values in (bound i-1, bound i]; the last: above every bound.
    std::array<uint64_t, kBoundsSeconds.size() + 1> counts{};
    double sum_seconds = 0;
    uint64_t count = 0;

    void Add(const LatencyHistogram& histogram);
  };
  struct Counts {
    uint64_t runs = 0;
    uint64_t hits = 0, misses = 0, coalesced = 0, writes = 0, errors = 0;
    std::array<uint64_t, static_cast<size_t>(ErrorKind::kCount)>
        errors_by_kind{};
    uint64_t db_queries = 0, db_writes = 0, fills = 0, fill_errors = 0;
    uint64_t corrupt_entries = 0, lock_waits = 0, early_refreshes = 0;
    uint64_t refreshes = 0, stale_served = 0, key_expiries = 0;
    uint64_t late_starts = 0;
    std::array<Latency, kSources.size()> latency{};

    void Add(const RunStats& run);
  };

  absl::Time started_at_;
  Counts finished_;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_DAEMON_TOTALS_H_
