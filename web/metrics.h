#ifndef DBCACHE_WEB_METRICS_H_
#define DBCACHE_WEB_METRICS_H_

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace dbcache::web {

// Renders GET /metrics in the Prometheus text exposition format (0.0.4) from
// what dbcache-web last read: whether the Redis reader answered, the
// <prefix>stats document and the <prefix>daemon heartbeat (each null when
// absent). Pure, so the format is tested without a server:
//
//   dbcache_up 1
//   dbcache_daemon_up 1
//   dbcache_queries_total{result="hit"} 12400
//   dbcache_latency_seconds_bucket{source="cache_hit",le="0.0001"} 11873
//   dbcache_latency_seconds_sum{source="cache_hit"} 0.8672
//   dbcache_latency_seconds_count{source="cache_hit"} 12400
//   dbcache_run_queries_done{result="hit"} 400
//   dbcache_run_latency_seconds{source="cache_hit",percentile="50"} 6.9e-05
//
// Counters (_total) and the latency histograms are the daemon's totals since
// it started (daemon_totals in the stats): they only go up while it lives, so
// rate() and histogram_quantile() work, and restart from zero with it
// (dbcache_daemon_start_time_seconds). The dbcache_run_* series describe the
// current or last run and are gauges. Units are seconds. Fields missing from
// the stats are left out rather than reported as zero; `promtool check
// metrics` is clean on the output.
//
//   response.set_content(RenderMetrics(true, stats, daemon),
//                        "text/plain; version=0.0.4; charset=utf-8");
std::string RenderMetrics(bool reader_up, const nlohmann::json& stats,
                          const nlohmann::json& daemon);

// A sample value as Prometheus writes it: integers without a fraction, other
// values in the shortest form that reads back exactly, NaN, +Inf, -Inf.
std::string FormatMetricValue(double value);

// A label value with \, " and newline escaped.
std::string EscapeLabelValue(std::string_view value);

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_METRICS_H_
