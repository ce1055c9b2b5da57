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

  // A family with one sample per numeric member of `object`, labelled
  // `label`=member name; nothing when there is none.
  void ByLabel(std::string_view name, std::string_view type,
               std::string_view help, std::string_view label,
               const nlohmann::json& object) {
    if (!object.is_object()) return;
    bool written = false;
    for (const auto& [key, value] : object.items()) {
      if (!value.is_number()) continue;
      if (!written) {
        Family(name, type, help);
        written = true;
      }
      Sample(name, {{label, key}}, value.get<double>());
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

struct Field {
  std::string_view metric;
  std::string_view field;
  std::string_view help;
};

// The daemon's totals since it started (daemon_totals in the stats): the
// counters, monotonic for the process's life, that rate() and increase() need.
void WriteTotals(Writer& w, const Json& totals) {
  w.Single("dbcache_daemon_start_time_seconds", "gauge",
           "When the daemon whose totals these are started (Unix seconds); "
           "its counters restart from zero with it.",
           NumberAt(totals, "started_at_unix"));
  w.Single("dbcache_runs_total", "counter",
           "Runs the daemon has finished since it started.",
           NumberAt(totals, "runs"));
  w.ByLabel("dbcache_queries_total", "counter",
            "Queries the daemon has finished since it started, by result "
            "(hit, miss, coalesced, write, error); with the run going on.",
            "result", ObjectAt(totals, "queries"));
  w.ByLabel("dbcache_errors_total", "counter",
            "Failed queries since the daemon started, by kind; they add up to "
            "dbcache_queries_total{result=\"error\"}.",
            "kind", ObjectAt(totals, "errors_by_kind"));
  constexpr Field kCounters[] = {
      {"dbcache_db_queries_total", "db_queries",
       "Read statements sent to MySQL: misses, refreshes and lock holders."},
      {"dbcache_db_writes_total", "db_writes",
       "Write statements sent to MySQL."},
      {"dbcache_cache_fills_total", "fills",
       "Cache fills (PSETEX) sent to Redis."},
      {"dbcache_cache_fill_errors_total", "fill_errors",
       "Cache fills that failed; their queries were served from MySQL."},
      {"dbcache_corrupt_entries_total", "corrupt_entries",
       "Cached entries that failed their check (served as misses)."},
      {"dbcache_lock_waits_total", "lock_waits",
       "Queries that waited for another's fill lock (stampede=lock)."},
      {"dbcache_early_refreshes_total", "early_refreshes",
       "Entries recomputed before they expired (stampede=xfetch)."},
      {"dbcache_refreshes_total", "refreshes",
       "Background refreshes of an entry (stampede=xfetch, swr)."},
      {"dbcache_stale_served_total", "stale_served",
       "Stale entries served while refreshed (stampede=swr)."},
      {"dbcache_key_expiries_total", "key_expiries",
       "Key expiries: a key found missing until it is filled again."},
      {"dbcache_late_starts_total", "late_starts",
       "Open-loop queries that started late: every slot was busy."},
  };
  for (const Field& f : kCounters) {
    w.Single(f.metric, "counter", f.help, NumberAt(totals, f.field));
  }

  // Histograms: cumulative buckets at the bounds the daemon keeps, so that
  // histogram_quantile() over sum by (le) is right, also across daemons.
  const Json& le = totals.is_object() && totals.contains("latency_le_seconds")
                       ? totals["latency_le_seconds"]
                       : Json(nullptr);
  const Json& latency = ObjectAt(totals, "latency_seconds");
  if (!le.is_array() || !latency.is_object() || latency.empty()) return;
  bool family_written = false;
  for (const auto& [source, h] : latency.items()) {
    const Json& buckets =
        h.is_object() && h.contains("buckets") ? h["buckets"] : Json(nullptr);
    std::optional<double> sum = NumberAt(h, "sum");
    std::optional<double> count = NumberAt(h, "count");
    if (!buckets.is_array() || buckets.size() != le.size() + 1 ||
        !sum.has_value() || !count.has_value()) {
      continue;
    }
    if (!family_written) {
      w.Family("dbcache_latency_seconds", "histogram",
               "Latency since the daemon started, by source: cache_hit (a "
               "Redis GET that hit), db (a MySQL statement on its "
               "connection), db_connect (a reconnect a statement waited for), "
               "pool_wait (waiting for a free MySQL connection), cache_fill "
               "(storing a result), coalesced (waiting for another query's "
               "statement), db_write (a write statement), end_to_end (one "
               "query from its start), response (from its intended start; "
               "open loop).");
      family_written = true;
    }
    for (size_t i = 0; i < buckets.size(); ++i) {
      if (!buckets[i].is_number() || (i < le.size() && !le[i].is_number())) {
        continue;
      }
      w.Sample(
          "dbcache_latency_seconds_bucket",
          {{"source", source},
           {"le", i < le.size() ? absl::StrFormat("%.6g", le[i].get<double>())
                                : std::string("+Inf")}},
          buckets[i].get<double>());
    }
    w.Sample("dbcache_latency_seconds_sum", {{"source", source}}, *sum);
    w.Sample("dbcache_latency_seconds_count", {{"source", source}}, *count);
  }
}

// The current or last run: gauges, since they start again with every run.
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
      w.Family("dbcache_run_queries_done", "gauge",
               "Queries finished in the current or last run, by result.");
      family_written = true;
    }
    w.Sample("dbcache_run_queries_done", {{"result", std::string(result)}},
             *value);
  }

  w.ByLabel("dbcache_run_errors", "gauge",
            "Errors in the current or last run, by kind.", "kind",
            ObjectAt(stats, "errors_by_kind"));
  const Json& stampede = ObjectAt(stats, "stampede");
  const Json& load = ObjectAt(stats, "load");
  constexpr Field kRunFields[] = {
      {"dbcache_run_corrupt_entries", "corrupt_entries",
       "Cached entries that failed their check in the current or last run."},
      {"dbcache_run_cache_fill_errors", "fill_errors",
       "Cache fills that failed in the current or last run."},
      {"dbcache_run_db_queries", "db_queries",
       "Read statements the current or last run sent to MySQL."},
      {"dbcache_run_in_flight", "in_flight", "Queries in flight."},
      {"dbcache_run_hit_ratio", "hit_ratio",
       "Cache hits / (hits + misses) in the current or last run."},
      {"dbcache_run_throughput_qps", "throughput_qps",
       "Queries per second in the current or last run."},
      {"dbcache_run_speedup", "speedup",
       "Mean database latency / mean cache-hit latency (0: unknown)."},
  };
  for (const Field& f : kRunFields) {
    w.Single(f.metric, "gauge", f.help, NumberAt(stats, f.field));
  }
  w.Single("dbcache_run_lock_waits", "gauge",
           "Queries that waited for another's fill lock in the current or "
           "last run.",
           NumberAt(stampede, "lock_waits"));
  w.Single("dbcache_run_key_expiries", "gauge",
           "Key expiries in the current or last run.",
           NumberAt(stampede, "expiries"));
  w.Single("dbcache_run_late_starts", "gauge",
           "Open-loop queries that started late in the current or last run.",
           NumberAt(load, "late_starts"));
  std::optional<double> wall_ms = NumberAt(stats, "wall_ms");
  w.Single("dbcache_run_wall_seconds", "gauge",
           "Wall time of the current or last run.",
           wall_ms.has_value() ? std::optional<double>(*wall_ms / 1000.0)
                               : std::nullopt);

  const Json& latency = ObjectAt(stats, "latency_us");
  if (!latency.is_object() || latency.empty()) return;
  // A "quantile" label belongs to summaries, whose _sum and _count would be
  // counters that restart with each run: these are gauges, labelled apart.
  constexpr std::array<std::pair<std::string_view, std::string_view>, 4>
      kPercentiles = {
          {{"50", "p50"}, {"90", "p90"}, {"99", "p99"}, {"99.9", "p999"}}};
  family_written = false;
  for (const auto& [source, summary] : latency.items()) {
    if (!summary.is_object()) continue;
    for (const auto& [percentile, field] : kPercentiles) {
      std::optional<double> value = NumberAt(summary, field);
      if (!value.has_value()) continue;
      if (!family_written) {
        w.Family(
            "dbcache_run_latency_seconds", "gauge",
            "Latency percentiles of the current or last run by source "
            "(as dbcache_latency_seconds names them); for percentiles over "
            "time use that histogram.");
        family_written = true;
      }
      w.Sample("dbcache_run_latency_seconds",
               {{"source", source}, {"percentile", std::string(percentile)}},
               *value / 1e6);
    }
  }
  family_written = false;
  for (const auto& [source, summary] : latency.items()) {
    std::optional<double> max = NumberAt(summary, "max");
    if (!max.has_value()) continue;
    if (!family_written) {
      w.Family("dbcache_run_latency_max_seconds", "gauge",
               "Largest latency of the current or last run by source.");
      family_written = true;
    }
    w.Sample("dbcache_run_latency_max_seconds", {{"source", source}},
             *max / 1e6);
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
  if (stats.is_object()) {
    WriteTotals(w, ObjectAt(stats, "daemon_totals"));
    WriteRun(w, stats);
  }
  return w.Take();
}

}  // namespace dbcache::web
