#include "daemon/ctl/compare_table.h"

#include "absl/strings/str_format.h"
#include "daemon/common/json_fields.h"

namespace dbcache::ctl {
namespace {

// j[key], or null when j is not an object or lacks it (operator[] of a const
// json must not be asked for a missing key).
const nlohmann::json& At(const nlohmann::json& j, const char* key) {
  static const nlohmann::json* const kNull = new nlohmann::json();
  if (!j.is_object()) return *kNull;
  const auto it = j.find(key);
  return it == j.end() ? *kNull : *it;
}

// A figure of a side, or "-" when the side did not run.
std::string Figure(const nlohmann::json& side, const char* key,
                   const char* format, double scale = 1) {
  if (!side.is_object()) return "-";
  return absl::StrFormat(format, Number(side, key) * scale);
}

// "12.60x" from a ratio that may be null.
std::string Times(const nlohmann::json& ratio, const char* after = "") {
  if (!ratio.is_number()) return "-";
  return absl::StrFormat("%.2fx%s", ratio.get<double>(), after);
}

}  // namespace

std::string FormatCompareTable(const nlohmann::json& record) {
  const nlohmann::json& params = Object(record, "params");
  const nlohmann::json& off = At(record, "off");
  const nlohmann::json& on = At(record, "on");
  const nlohmann::json& speedup = Object(record, "speedup");
  const std::string state = Text(record, "state");
  std::string out = absl::StrFormat(
      "compare %s: workload %s, %.0f queries at concurrency %.0f, seed %s%s\n",
      Text(record, "compare_id"), Text(params, "workload"),
      Number(params, "queries"), Number(params, "concurrency"),
      At(record, "seed").is_number() ? At(record, "seed").dump() : "-",
      state == "finished"
          ? ""
          : absl::StrFormat(" (%s: %s)", state, Text(record, "reason")));
  const auto row = [&out](const char* what, const std::string& a,
                          const std::string& b, const std::string& effect) {
    std::string line =
        absl::StrFormat("%-18s %12s %12s   %s", what, a, b, effect);
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  };
  row("", "cache=off", "cache=on", "effect");
  row("wall time (ms)", Figure(off, "wall_ms", "%.1f"),
      Figure(on, "wall_ms", "%.1f"), Times(At(speedup, "wall"), " faster"));
  row("queries/s", Figure(off, "qps", "%.0f"), Figure(on, "qps", "%.0f"),
      Times(At(speedup, "qps")));
  row("p50 (µs)", Figure(off, "p50_us", "%.0f"), Figure(on, "p50_us", "%.0f"),
      Times(At(speedup, "p50"), " lower"));
  row("p99 (µs)", Figure(off, "p99_us", "%.0f"), Figure(on, "p99_us", "%.0f"),
      Times(At(speedup, "p99"), " lower"));
  const nlohmann::json& saved = At(record, "db_queries_saved");
  row("MySQL statements", Figure(off, "db_queries", "%.0f"),
      Figure(on, "db_queries", "%.0f"),
      saved.is_number()
          ? absl::StrFormat("%.1f%% fewer", saved.get<double>() * 100)
          : "-");
  row("hit ratio", "-", Figure(on, "hit_ratio", "%.1f%%", 100), "");
  row("errors", Figure(off, "errors", "%.0f"), Figure(on, "errors", "%.0f"),
      "");
  out += absl::StrFormat(
      "runs %s and %s; p50/p99: response time, from each query's intended "
      "start\n",
      Text(off, "run_id").empty() ? "-" : Text(off, "run_id"),
      Text(on, "run_id").empty() ? "-" : Text(on, "run_id"));
  return out;
}

}  // namespace dbcache::ctl
