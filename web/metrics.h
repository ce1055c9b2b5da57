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
//   dbcache_run_queries_total{result="hit"} 400
//   dbcache_latency_microseconds{source="cache_hit",quantile="0.5"} 69
//   dbcache_latency_microseconds_sum{source="cache_hit"} 28040
//   dbcache_latency_microseconds_count{source="cache_hit"} 400
//
// The run metrics describe the current or last run, so the counters restart
// from zero with each run, which Prometheus's rate() reads as a counter reset.
// Fields missing from the stats are left out rather than reported as zero.
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
