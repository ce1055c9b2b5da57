#include "web/metrics.h"

#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "daemon/common/str_cat.h"

namespace dbcache::web {
namespace {

using Json = nlohmann::json;

std::optional<double> NumberAt(const Json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string StringAt(const Json& object, std::string_view key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

const Json& ObjectAt(const Json& object, std::string_view key) {
  static const Json* const kNull = new Json(nullptr);
  if (!object.is_object()) return *kNull;
  auto it = object.find(key);
  if (it == object.end() || !it->is_object()) return *kNull;
  return *it;
}

using Labels = std::vector<std::pair<std::string_view, std::string>>;

// Writes metric families: HELP and TYPE once, then the samples.
class Writer {
 public:
  void Family(std::string_view name, std::string_view type,
              std::string_view help) {
    StrAppend(&out_, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type,
              "\n");
  }

  void Sample(std::string_view name, const Labels& labels, double value) {
    StrAppend(&out_, name);
    if (!labels.empty()) {
      out_.push_back('{');
      for (size_t i = 0; i < labels.size(); ++i) {
        StrAppend(&out_, i == 0 ? "" : ",", labels[i].first, "=\"",
                  EscapeLabelValue(labels[i].second), "\"");
      }
      out_.push_back('}');
    }
    StrAppend(&out_, " ", FormatMetricValue(value), "\n");
  }

  // A family with one unlabelled sample, written only when the value exists.
  void Single(std::string_view name, std::string_view type,
              std::string_view help, std::optional<double> value) {
    if (!value.has_value()) return;
    Family(name, type, help);
    Sample(name, {}, *value);
  }

  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

void WriteRun(Writer& w, const Json& stats) {
  const std::string state = StringAt(stats, "state");
  w.Family("dbcache_run_info", "gauge",
           "The current or last run: always 1, with its id and state.");
  w.Sample("dbcache_run_info",
           {{"run_id", StringAt(stats, "run_id")}, {"state", state}}, 1);
  w.Single("dbcache_run_running", "gauge", "1 while a run is going.",
           state == "running" ? 1.0 : 0.0);
  w.Single("dbcache_run_queries", "gauge",
           "Queries the current or last run was asked to make.",
           NumberAt(stats, "queries"));

  constexpr std::array<std::pair<std::string_view, std::string_view>, 5>
      kResults = {{{"hit", "hits"},
                   {"miss", "misses"},
                   {"coalesced", "coalesced"},
                   {"write", "writes"},
                   {"error", "errors"}}};
  bool family_written = false;
  for (const auto& [result, field] : kResults) {
    std::optional<double> value = NumberAt(stats, field);
    if (!value.has_value()) continue;
    if (!family_written) {
      w.Family("dbcache_run_queries_total", "counter",
               "Queries finished in the current or last run, by result.");
      family_written = true;
    }
    w.Sample("dbcache_run_queries_total", {{"result", std::string(result)}},
             *value);
  }

  const Json& errors = ObjectAt(stats, "errors_by_kind");
  if (errors.is_object() && !errors.empty()) {
    w.Family("dbcache_run_errors_total", "counter",
             "Errors in the current or last run, by kind.");
    for (const auto& [kind, value] : errors.items()) {
      if (value.is_number()) {
        w.Sample("dbcache_run_errors_total", {{"kind", kind}},
                 value.get<double>());
      }
    }
  }
  w.Single("dbcache_run_corrupt_entries_total", "counter",
           "Cached entries that failed to decode (served as misses).",
           NumberAt(stats, "corrupt_entries"));
  w.Single("dbcache_run_cache_fill_errors_total", "counter",
           "Cache fills (PSETEX) that failed; their queries were served from "
           "MySQL.",
           NumberAt(stats, "fill_errors"));
  w.Single("dbcache_run_db_queries_total", "counter",
           "Statements sent to MySQL: misses, refreshes and lock holders.",
           NumberAt(stats, "db_queries"));
  const Json& stampede = ObjectAt(stats, "stampede");
  w.Single("dbcache_run_lock_waits_total", "counter",
           "Queries that waited for another's fill lock (stampede=lock).",
           NumberAt(stampede, "lock_waits"));
  w.Single("dbcache_run_early_refreshes_total", "counter",
           "Entries recomputed before they expired (stampede=xfetch).",
           NumberAt(stampede, "early_refreshes"));
  w.Single("dbcache_run_stale_served_total", "counter",
           "Stale entries served while refreshed (stampede=swr).",
           NumberAt(stampede, "stale_served"));
  w.Single("dbcache_run_key_expiries_total", "counter",
           "Key expiries: a key found missing until it is filled again.",
           NumberAt(stampede, "expiries"));
  const Json& load = ObjectAt(stats, "load");
  w.Single("dbcache_run_late_starts_total", "counter",
           "Open-loop queries that started late: every slot was busy.",
           NumberAt(load, "late_starts"));
  w.Single("dbcache_run_in_flight", "gauge", "Queries in flight.",
           NumberAt(stats, "in_flight"));
  w.Single("dbcache_run_hit_ratio", "gauge",
           "Cache hits / (hits + misses) in the current or last run.",
           NumberAt(stats, "hit_ratio"));
  w.Single("dbcache_run_throughput_qps", "gauge",
           "Queries per second in the current or last run.",
           NumberAt(stats, "throughput_qps"));
  w.Single("dbcache_run_speedup", "gauge",
           "Mean database latency / mean cache-hit latency (0: unknown).",
           NumberAt(stats, "speedup"));
  std::optional<double> wall_ms = NumberAt(stats, "wall_ms");
  w.Single("dbcache_run_wall_seconds", "gauge",
           "Wall time of the current or last run.",
           wall_ms.has_value() ? std::optional<double>(*wall_ms / 1000.0)
                               : std::nullopt);

  const Json& latency = ObjectAt(stats, "latency_us");
  if (!latency.is_object() || latency.empty()) return;
  constexpr std::array<std::pair<std::string_view, std::string_view>, 4>
      kQuantiles = {
          {{"0.5", "p50"}, {"0.9", "p90"}, {"0.99", "p99"}, {"0.999", "p999"}}};
  w.Family("dbcache_latency_microseconds", "summary",
           "Latency of the current or last run by source: cache_hit (a "
           "Redis GET that hit), db (a MySQL statement on its connection), "
           "db_connect (a reconnect a statement waited for), pool_wait "
           "(waiting for a free MySQL connection), cache_fill (storing a "
           "result), coalesced (waiting for another query's statement), "
           "end_to_end (one query from its start), response (from its "
           "intended start; open loop).");
  for (const auto& [source, summary] : latency.items()) {
    if (!summary.is_object()) continue;
    for (const auto& [quantile, field] : kQuantiles) {
      std::optional<double> value = NumberAt(summary, field);
      if (value.has_value()) {
        w.Sample("dbcache_latency_microseconds",
                 {{"source", source}, {"quantile", std::string(quantile)}},
                 *value);
      }
    }
    std::optional<double> count = NumberAt(summary, "count");
    std::optional<double> mean = NumberAt(summary, "mean");
    if (count.has_value() && mean.has_value()) {
      // The daemon reports the mean (to 0.1 us); the sum follows from it, to
      // that rounding, which the float noise of the product must not pretend
      // to exceed.
      w.Sample("dbcache_latency_microseconds_sum", {{"source", source}},
               std::round(*count * *mean * 1000.0) / 1000.0);
    }
    if (count.has_value()) {
      w.Sample("dbcache_latency_microseconds_count", {{"source", source}},
               *count);
    }
  }
  bool max_written = false;
  for (const auto& [source, summary] : latency.items()) {
    std::optional<double> max = NumberAt(summary, "max");
    if (!max.has_value()) continue;
    if (!max_written) {
      w.Family("dbcache_latency_max_microseconds", "gauge",
               "Largest latency of the current or last run by source.");
      max_written = true;
    }
    w.Sample("dbcache_latency_max_microseconds", {{"source", source}}, *max);
  }
}

}  // namespace

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    return absl::StrFormat("%.0f", value);
  }
  std::array<char, 64> buffer;
  auto [end, error] =
      std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (error != std::errc()) return absl::StrFormat("%.17g", value);
  return std::string(buffer.data(), end);
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string RenderMetrics(bool reader_up, const Json& stats,
                          const Json& daemon) {
  Writer w;
  w.Single("dbcache_up", "gauge",
           "1 when dbcache-web can read from the Redis reader endpoint.",
           reader_up ? 1.0 : 0.0);
  if (!reader_up) return w.Take();
  const bool daemon_up = daemon.is_object();
  w.Single("dbcache_daemon_up", "gauge",
           "1 when a dbcached heartbeat is present (it expires within "
           "seconds of the daemon's last beat).",
           daemon_up ? 1.0 : 0.0);
  if (daemon_up) {
    w.Family("dbcache_daemon_info", "gauge",
             "The live daemon: always 1, with its version, host and state.");
    w.Sample("dbcache_daemon_info",
             {{"version", StringAt(daemon, "version")},
              {"host", StringAt(daemon, "host")},
              {"state", StringAt(daemon, "state")}},
             1);
  }
  if (stats.is_object()) WriteRun(w, stats);
  return w.Take();
}

}  // namespace dbcache::web
