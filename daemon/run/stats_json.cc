#include "daemon/run/stats_json.h"

#include <cmath>
#include <map>

#include "daemon/run/daemon_totals.h"

namespace dbcache::run {
namespace {

// Rounds to 0.1 µs: finer digits are noise and only make the JSON longer.
double Round1(double value) { return std::round(value * 10.0) / 10.0; }

}  // namespace

std::string FormatTimestamp(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json LatencyJson(const LatencyHistogram& histogram) {
  const LatencySummary s = histogram.Summarize();
  return {{"count", s.count},          {"mean", Round1(s.mean_us)},
          {"min", Round1(s.min_us)},   {"p50", Round1(s.p50_us)},
          {"p90", Round1(s.p90_us)},   {"p99", Round1(s.p99_us)},
          {"p999", Round1(s.p999_us)}, {"max", Round1(s.max_us)}};
}

nlohmann::json HistogramBucketsJson(const LatencyHistogram& histogram) {
  std::map<int, uint64_t> coarse;
  histogram.ForEachBucket([&](uint64_t lower_ns, uint64_t, uint64_t count) {
    const double lower_us =
        std::max(1.0, static_cast<double>(lower_ns) / 1000.0);
    coarse[static_cast<int>(std::floor(std::log2(lower_us) * 4.0))] += count;
  });
  nlohmann::json buckets = nlohmann::json::array();
  for (const auto& [key, count] : coarse) {
    buckets.push_back({Round1(std::exp2(key / 4.0)),
                       Round1(std::exp2((key + 1) / 4.0)), count});
  }
  return buckets;
}

nlohmann::json SeriesJson(const IntervalSeries& series, int64_t now_ns) {
  nlohmann::json points = nlohmann::json::array();
  series.ForEachPoint(now_ns, [&](const IntervalSeries::Point& p) {
    const auto quantile = [&](double us) {
      return p.timed == 0 ? nlohmann::json(nullptr)
                          : nlohmann::json(Round1(us));
    };
    // Whole widths (all but a run's last) print as integers: "100", not
    // "100.0".
    const double ms = std::round(p.ms * 1000.0) / 1000.0;
    points.push_back({p.t_ms,
                      ms == std::floor(ms)
                          ? nlohmann::json(static_cast<int64_t>(ms))
                          : nlohmann::json(ms),
                      p.done, p.hits, p.misses, p.coalesced, p.writes, p.errors,
                      quantile(p.p50_us), quantile(p.p99_us)});
  });
  return {{"interval_ms", IntervalSeries::kIntervalMs},
          {"dropped", series.Dropped(now_ns)},
          {"points", std::move(points)}};
}

nlohmann::json LogEntryJson(const LogEntry& entry, std::string_view run_id) {
  return {{"seq", entry.seq},
          {"run_id", run_id},
          {"sql", entry.sql},
          {"source", OutcomeName(entry.outcome)},
          {"latency_us", Round1(entry.latency_us)}};
}

nlohmann::json StampedeJson(const RunStats& stats) {
  const ExpiryCounts& expiries = stats.expiries();
  return {{"strategy", StampedeName(stats.params().stampede)},
          {"db_queries", stats.db_queries()},
          {"fills", stats.fills()},
          {"coalesced", stats.coalesced()},
          {"lock_waits", stats.lock_waits()},
          {"lock_errors", stats.lock_errors()},
          {"early_refreshes", stats.early_refreshes()},
          {"refreshes", stats.refreshes()},
          {"stale_served", stats.stale_served()},
          {"expiries", expiries.expiries()},
          {"db_queries_per_expiry",
           {{"mean", std::round(expiries.Mean() * 100.0) / 100.0},
            {"p50", expiries.Percentile(50)},
            {"p99", expiries.Percentile(99)},
            {"max", expiries.max()}}}};
}

nlohmann::json LoadJson(const RunStats& stats) {
  const RunParams& p = stats.params();
  const bool open = p.rate > 0;
  nlohmann::json load = {
      {"shape", open ? "open" : "closed"},
      {"late_starts", stats.late_starts()},
      {"issue_rate_qps", Round1(stats.IssueRate())},
  };
  load["target_rate_qps"] = open ? nlohmann::json(p.rate) : nullptr;
  // Below capacity the achieved rate is the target's; a lower one says the
  // system (or the concurrency limit) could not keep up.
  load["achieved_ratio"] =
      open && p.rate > 0
          ? nlohmann::json(std::round(10000.0 * stats.IssueRate() /
                                      static_cast<double>(p.rate)) /
                           10000.0)
          : nullptr;
  return load;
}

nlohmann::json FreshnessJson(const RunStats& stats) {
  const FreshnessStats& f = stats.freshness();
  const uint64_t reads = stats.hits() + stats.misses() + stats.coalesced();
  return {{"invalidate", InvalidateName(stats.params().invalidate)},
          {"writes", stats.writes()},
          {"write_errors", stats.errors(ErrorKind::kDbWrite)},
          {"invalidations", f.invalidations},
          {"invalidation_errors", f.invalidation_errors},
          {"checked_reads", f.checked_reads},
          {"stale_reads", f.stale_reads},
          {"stale_ratio",
           reads == 0 ? 0.0
                      : std::round(1e6 * static_cast<double>(f.stale_reads) /
                                   static_cast<double>(reads)) /
                            1e6},
          {"unversioned_reads", f.unversioned_reads},
          {"staleness_us", LatencyJson(f.staleness)},
          {"verify_pct", stats.params().verify_pct},
          {"verified", f.verified},
          {"verify_stale", f.verify_stale},
          {"unexplained", f.unexplained},
          {"verify_errors", f.verify_errors}};
}

nlohmann::json RunJson(const RunStats& stats, const SnapshotContext& context) {
  const RunParams& p = stats.params();
  const bool running = stats.state() == RunState::kRunning;
  const int64_t end_ns = running ? context.now_ns : stats.end_ns();
  const double wall_ms = std::max<int64_t>(0, end_ns - stats.start_ns()) / 1e6;
  nlohmann::json params = {
      {"queries", p.queries}, {"concurrency", p.concurrency},
      {"ttl_ms", p.ttl_ms},   {"limit_max", p.limit_max},
      {"cache", p.cache},     {"stampede", StampedeName(p.stampede)},
      {"rate", p.rate},       {"beta", p.beta},
      {"lock_ms", p.lock_ms}};
  params["seed"] = p.seed.has_value() ? nlohmann::json(*p.seed) : nullptr;
  params["stale_ms"] =
      p.stale_ms.has_value() ? nlohmann::json(*p.stale_ms) : nullptr;
  params["workload"] = p.workload;
  // What the workload draws: the run's dist or the file's, and how many
  // distinct statements (cache keys) it can ask for.
  params["dist"] = stats.dist_text();
  params["keys"] = stats.key_count();
  params["ttl_jitter_pct"] = p.ttl_jitter_pct;
  params["invalidate"] = InvalidateName(p.invalidate);
  params["delete_delay_ms"] = p.delete_delay_ms;
  params["verify"] = p.verify_pct;
  nlohmann::json errors_by_kind = nlohmann::json::object();
  for (size_t i = 0; i < static_cast<size_t>(ErrorKind::kCount); ++i) {
    const auto kind = static_cast<ErrorKind>(i);
    errors_by_kind[std::string(ErrorKindName(kind))] = stats.errors(kind);
  }
  const uint64_t done = stats.done();
  // The hit ratio is over reads: a write is never a hit.
  const uint64_t reads =
      done - stats.writes() - stats.errors(ErrorKind::kDbWrite);
  nlohmann::json out = {
      {"run_id", stats.run_id()},
      {"state", RunStateName(stats.state())},
      {"reason", stats.reason()},
      {"params", std::move(params)},
      {"sql_template", context.sql_template},
      {"started_at", FormatTimestamp(stats.wall_start())},
      {"finished_at", running
                          ? nlohmann::json(nullptr)
                          : nlohmann::json(FormatTimestamp(stats.wall_end()))},
      {"updated_at", FormatTimestamp(context.wall_now)},
      {"wall_ms", std::round(wall_ms * 1000.0) / 1000.0},
      {"queries", p.queries},
      {"issued", stats.issued()},
      {"done", done},
      {"in_flight", context.in_flight},
      {"max_in_flight", context.max_in_flight},
      {"hits", stats.hits()},
      {"misses", stats.misses()},
      {"coalesced", stats.coalesced()},
      {"writes", stats.writes()},
      {"errors", stats.errors()},
      {"errors_by_kind", std::move(errors_by_kind)},
      {"db_queries", stats.db_queries()},
      {"db_writes", stats.db_writes()},
      {"fills", stats.fills()},
      {"fill_errors", stats.fill_errors()},
      {"last_error", stats.last_error()},
      {"corrupt_entries", stats.corrupt_entries()},
      {"hit_ratio",
       reads == 0 ? 0.0
                  : std::round(10000.0 * static_cast<double>(stats.hits()) /
                               static_cast<double>(reads)) /
                        10000.0},
      {"throughput_qps",
       wall_ms <= 0 ? 0.0
                    : Round1(static_cast<double>(done) / (wall_ms / 1000.0))},
      {"speedup", std::round(stats.Speedup() * 100.0) / 100.0},
      {"last_hit_us", Round1(stats.last_hit_us())},
      {"last_miss_us", Round1(stats.last_miss_us())},
      {"stampede", StampedeJson(stats)},
      {"load", LoadJson(stats)},
      {"freshness", FreshnessJson(stats)},
      {"latency_us",
       {{"cache_hit", LatencyJson(stats.cache_hit())},
        {"db", LatencyJson(stats.db())},
        {"db_connect", LatencyJson(stats.db_connect())},
        {"pool_wait", LatencyJson(stats.pool_wait())},
        {"cache_fill", LatencyJson(stats.cache_fill())},
        {"coalesced", LatencyJson(stats.coalesced_wait())},
        {"db_write", LatencyJson(stats.db_write())},
        {"end_to_end", LatencyJson(stats.end_to_end())},
        {"response", LatencyJson(stats.response())}}},
  };
  out["compare"] = context.compare_id.empty()
                       ? nlohmann::json(nullptr)
                       : nlohmann::json({{"id", context.compare_id},
                                         {"role", context.compare_role}});
  if (context.totals != nullptr) {
    out["daemon_totals"] = context.totals->Json(running ? &stats : nullptr);
  }
  if (context.histograms) {
    out["histograms"] = {{"cache_hit", HistogramBucketsJson(stats.cache_hit())},
                         {"db", HistogramBucketsJson(stats.db())}};
  }
  if (context.series) out["series"] = SeriesJson(stats.series(), end_ns);
  return out;
}

}  // namespace dbcache::run
