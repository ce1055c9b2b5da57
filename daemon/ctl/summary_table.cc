#include "daemon/ctl/summary_table.h"

#include "absl/strings/str_format.h"
#include "daemon/common/json_fields.h"

namespace dbcache::ctl {
namespace {

std::string LatencyRow(const char* label, const nlohmann::json& latency) {
  return absl::StrFormat("%-12s %8.0f %10.1f %10.1f %10.1f\n", label,
                         Number(latency, "count"), Number(latency, "p50"),
                         Number(latency, "p99"), Number(latency, "max"));
}

}  // namespace

std::string FormatSummary(const nlohmann::json& s) {
  const nlohmann::json latency =
      s.contains("latency_us") ? s["latency_us"] : nlohmann::json::object();
  auto source = [&](const char* name) {
    return latency.contains(name) ? latency[name] : nlohmann::json::object();
  };
  std::string out =
      absl::StrFormat("run %s %s: %.0f queries in %.1f ms (%.0f queries/s)\n",
                      Text(s, "run_id"), Text(s, "state"), Number(s, "done"),
                      Number(s, "wall_ms"), Number(s, "throughput_qps"));
  // What it asked: the workload and how its values were drawn, unless the
  // demo's defaults.
  if (s.contains("params") && s["params"].is_object()) {
    const nlohmann::json& p = s["params"];
    const std::string workload = Text(p, "workload");
    const std::string dist = Text(p, "dist");
    if ((!workload.empty() && workload != "demo") ||
        (!dist.empty() && dist != "uniform")) {
      absl::StrAppendFormat(&out, "workload %s: %s over %.0f keys\n",
                            workload.empty() ? "demo" : workload,
                            dist.empty() ? "uniform" : dist, Number(p, "keys"));
    }
  }
  if (const std::string reason = Text(s, "reason"); !reason.empty()) {
    absl::StrAppendFormat(&out, "reason: %s\n", reason);
  }
  absl::StrAppendFormat(&out, "%-12s %8s %10s %10s %10s\n", "source", "calls",
                        "p50 µs", "p99 µs", "max µs");
  out += LatencyRow("cache hit", source("cache_hit"));
  out += LatencyRow("database", source("db"));
  out += LatencyRow("pool wait", source("pool_wait"));
  if (Number(source("db_connect"), "count") > 0) {
    out += LatencyRow("db connect", source("db_connect"));
  }
  out += LatencyRow("cache fill", source("cache_fill"));
  if (Number(s, "coalesced") > 0) {
    out += LatencyRow("coalesced", source("coalesced"));
  }
  const double writes = Number(s, "writes");
  if (writes > 0) out += LatencyRow("db write", source("db_write"));
  out += LatencyRow("end to end", source("end_to_end"));
  const nlohmann::json load =
      s.contains("load") ? s["load"] : nlohmann::json::object();
  const bool open_loop = Text(load, "shape") == "open";
  if (open_loop) out += LatencyRow("response", source("response"));
  absl::StrAppendFormat(
      &out,
      "hits %.0f  misses %.0f  coalesced %.0f  errors %.0f  hit ratio %.1f%%  "
      "speed-up %.1fx\n",
      Number(s, "hits"), Number(s, "misses"), Number(s, "coalesced"),
      Number(s, "errors"), 100.0 * Number(s, "hit_ratio"),
      Number(s, "speedup"));
  const nlohmann::json stampede =
      s.contains("stampede") ? s["stampede"] : nlohmann::json::object();
  if (stampede.is_object() && !stampede.empty()) {
    const nlohmann::json per = stampede.contains("db_queries_per_expiry")
                                   ? stampede["db_queries_per_expiry"]
                                   : nlohmann::json::object();
    absl::StrAppendFormat(
        &out,
        "stampede %s: %.0f DB queries, %.0f key expiries, DB queries per "
        "expiry p50 %.0f max %.0f\n",
        Text(stampede, "strategy"), Number(stampede, "db_queries"),
        Number(stampede, "expiries"), Number(per, "p50"), Number(per, "max"));
  }
  const nlohmann::json freshness =
      s.contains("freshness") ? s["freshness"] : nlohmann::json::object();
  if (writes > 0 && freshness.is_object()) {
    const nlohmann::json age = freshness.contains("staleness_us")
                                   ? freshness["staleness_us"]
                                   : nlohmann::json::object();
    absl::StrAppendFormat(
        &out,
        "writes %.0f, invalidate %s: %.0f stale reads (%.2f%% of reads), "
        "stale for p50 %.0f µs p99 %.0f µs max %.0f µs\n",
        writes, Text(freshness, "invalidate"), Number(freshness, "stale_reads"),
        100.0 * Number(freshness, "stale_ratio"), Number(age, "p50"),
        Number(age, "p99"), Number(age, "max"));
  }
  if (Number(freshness, "verified") > 0) {
    absl::StrAppendFormat(
        &out, "verify: %.0f hits re-read, %.0f stale, %.0f unexplained\n",
        Number(freshness, "verified"), Number(freshness, "verify_stale"),
        Number(freshness, "unexplained"));
  }
  if (open_loop) {
    absl::StrAppendFormat(
        &out,
        "open loop: %.0f queries/s wanted, %.1f started (%.4f), %.0f late\n",
        Number(load, "target_rate_qps"), Number(load, "issue_rate_qps"),
        Number(load, "achieved_ratio"), Number(load, "late_starts"));
  }
  if (const std::string error = Text(s, "last_error"); !error.empty()) {
    absl::StrAppendFormat(&out, "last error: %s\n", error);
  }
  return out;
}

}  // namespace dbcache::ctl
