#include "daemon/ctl/sweep.h"

#include <cmath>
#include <cstdio>
#include <optional>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "daemon/common/json_fields.h"
#include "daemon/common/str_cat.h"
#include "daemon/ctl/daemon_commands.h"
#include "daemon/redis/sync_client.h"

namespace dbcache::ctl {
namespace {

std::string Timestamp() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                          absl::UTCTimeZone());
}

double Round(double value, double scale) {
  return std::round(value * scale) / scale;
}

// Counts are integers in the summary and stay so in the sweep.
int64_t Count(const nlohmann::json& s, const char* key) {
  return std::llround(Number(s, key));
}

double Reads(const nlohmann::json& s) {
  return Number(s, "hits") + Number(s, "misses") + Number(s, "coalesced");
}

double Mean(const nlohmann::json& s, const char* source) {
  return Number(Object(Object(s, "latency_us"), source), "mean");
}

// DB statements per second of wall time.
double DbRate(const nlohmann::json& s) {
  const double seconds = Number(s, "wall_ms") / 1000.0;
  return seconds > 0 ? Number(s, "db_queries") / seconds : 0;
}

// A cell's value as text, scaled, with `precision` digits and `suffix`; "-"
// when it has none (a null break-even before the times are known).
std::string Shown(const nlohmann::json& j, const char* key, double scale,
                  int precision, const char* suffix = "") {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return "-";
  return absl::StrFormat("%.*f%s", precision, it->get<double>() * scale,
                         suffix);
}

}  // namespace

nlohmann::json SweepCell(const nlohmann::json& summary,
                         const nlohmann::json& baseline) {
  const nlohmann::json& params = Object(summary, "params");
  const double reads = Reads(summary);
  const double db = Number(summary, "db_queries");
  const double base_reads = Reads(baseline);
  const double base_db = Number(baseline, "db_queries");
  nlohmann::json cell = {
      {"run_id", Text(summary, "run_id")},
      {"state", Text(summary, "state")},
      {"ttl_ms", Count(params, "ttl_ms")},
      {"dist", Text(params, "dist")},
      {"hit_ratio", Number(summary, "hit_ratio")},
      {"hits", Count(summary, "hits")},
      {"misses", Count(summary, "misses")},
      {"coalesced", Count(summary, "coalesced")},
      {"reads", std::llround(reads)},
      {"db_queries", Count(summary, "db_queries")},
      {"db_qps", Round(DbRate(summary), 10)},
      {"baseline_db_qps", Round(DbRate(baseline), 10)},
      {"e2e_p50_us",
       Number(Object(Object(summary, "latency_us"), "end_to_end"), "p50")},
      {"e2e_p99_us",
       Number(Object(Object(summary, "latency_us"), "end_to_end"), "p99")},
      {"stale_ratio", Number(Object(summary, "freshness"), "stale_ratio")},
  };
  // Per read, so that a faster run is not a busier database: the baseline
  // sends each read to MySQL once.
  cell["db_load_saved"] =
      reads > 0 && base_reads > 0 && base_db > 0
          ? nlohmann::json(
                Round(1.0 - (db / reads) / (base_db / base_reads), 1e6))
          : nlohmann::json(nullptr);
  // A hit costs a GET; a miss the GET, the statement and the fill; no cache,
  // the statement. The cache wins above h* = (GET + fill) / (DB + fill).
  const double get = Mean(summary, "cache_hit");
  const double fill = Mean(summary, "cache_fill");
  const double statement = Mean(summary, "db");
  cell["break_even_hit_ratio"] =
      get > 0 && fill > 0 && statement > 0
          ? nlohmann::json(Round((get + fill) / (statement + fill), 1e4))
          : nlohmann::json(nullptr);
  return cell;
}

std::string FormatSweepTable(const nlohmann::json& sweep) {
  const nlohmann::json& base = Object(sweep, "baseline");
  std::string out = absl::StrFormat(
      "sweep %s: workload %s, %.0f queries per run at concurrency %.0f, "
      "invalidate %s%s\n",
      Text(sweep, "sweep_id"), Text(sweep, "workload"),
      Number(sweep, "queries"), Number(sweep, "concurrency"),
      Text(sweep, "invalidate"),
      sweep.value("complete", false) ? "" : " (stopped before the end)");
  absl::StrAppendFormat(
      &out,
      "baseline (cache=off, run %s): %.0f DB statements/s, DB mean %.0f µs, "
      "end to end p50 %.0f µs p99 %.0f µs\n",
      Text(base, "run_id"), Number(base, "db_qps"), Number(base, "db_mean_us"),
      Number(base, "e2e_p50_us"), Number(base, "e2e_p99_us"));
  absl::StrAppendFormat(&out, "%8s %-14s %6s %10s %10s %7s %9s %9s %7s %7s\n",
                        "ttl ms", "dist", "hits", "DB/s", "DB/s off", "saved",
                        "p50 µs", "p99 µs", "stale", "h*");
  if (sweep.contains("cells") && sweep["cells"].is_array()) {
    for (const nlohmann::json& c : sweep["cells"]) {
      absl::StrAppendFormat(
          &out, "%8.0f %-14s %6s %10.0f %10.0f %7s %9.0f %9.0f %7s %7s\n",
          Number(c, "ttl_ms"), Text(c, "dist"),
          Shown(c, "hit_ratio", 100, 1, "%"), Number(c, "db_qps"),
          Number(c, "baseline_db_qps"), Shown(c, "db_load_saved", 100, 1, "%"),
          Number(c, "e2e_p50_us"), Number(c, "e2e_p99_us"),
          Shown(c, "stale_ratio", 100, 2, "%"),
          Shown(c, "break_even_hit_ratio", 1, 3));
    }
  }
  out +=
      "hits: hit ratio; DB/s: DB statements per second with the cache and "
      "without (the baseline); saved: DB load saved per read; stale: stale "
      "reads / reads; h*: break-even hit ratio, (GET + fill) / (DB + fill)\n";
  return out;
}

std::string FormatSweepCsv(const nlohmann::json& sweep) {
  constexpr const char* kColumns[] = {"ttl_ms",          "dist",
                                      "hit_ratio",       "db_qps",
                                      "baseline_db_qps", "db_load_saved",
                                      "e2e_p50_us",      "e2e_p99_us",
                                      "stale_ratio",     "break_even_hit_ratio",
                                      "run_id"};
  std::string out;
  for (const char* column : kColumns) {
    StrAppend(&out, out.empty() ? "" : ",", column);
  }
  out += "\n";
  if (!sweep.contains("cells") || !sweep["cells"].is_array()) return out;
  for (const nlohmann::json& c : sweep["cells"]) {
    std::string row;
    bool first = true;
    for (const char* column : kColumns) {
      if (!first) row += ",";
      first = false;
      const auto it = c.find(column);
      if (it == c.end() || it->is_null()) continue;
      // Dist texts and run ids hold no comma or quote.
      row += it->is_string() ? it->get<std::string>() : it->dump();
    }
    out += row + "\n";
  }
  return out;
}

int SweepCommand(const config::Settings& settings, const SweepOptions& options,
                 const std::atomic<bool>* interrupted) {
  const std::string id = "s" + NewCommandId().substr(1);
  std::vector<std::optional<std::string>> dists(options.dists.begin(),
                                                options.dists.end());
  if (dists.empty()) dists.push_back(std::nullopt);
  const int total = 1 + static_cast<int>(options.ttls_ms.size() * dists.size());
  nlohmann::json sweep = {
      {"sweep_id", id},
      {"started_at", Timestamp()},
      {"workload", options.base.workload},
      {"queries", options.base.queries},
      {"concurrency", options.base.concurrency},
      {"invalidate", run::InvalidateName(options.base.invalidate)},
      {"ttls_ms", options.ttls_ms},
      {"dists", options.dists},
      {"cells", nlohmann::json::array()},
      {"complete", false}};
  // One run: from a flushed cache, to its end.
  auto run = [&](run::RunParams params, int n,
                 const std::string& what) -> FollowedRun {
    if (int code = SimpleCommand(settings, run::CommandKind::kFlush,
                                 absl::Seconds(30), /*print=*/false);
        code != kExitOk) {
      return {code, {}};
    }
    return PublishAndFollow(settings, std::move(params),
                            absl::StrFormat("sweep %d/%d: %s", n, total, what));
  };
  auto with_dist = [](run::RunParams p, const std::optional<std::string>& d) {
    if (d.has_value()) p.dist = *run::ParseKeyDistribution(*d);
    return p;
  };

  run::RunParams base = with_dist(options.base, dists.front());
  base.cache = false;
  base.ttl_ms = options.ttls_ms.front();
  base.id = id + "-base";
  FollowedRun baseline = run(base, 1, "cache=off baseline");
  int code = baseline.exit_code;
  if (code == kExitOk) {
    const nlohmann::json& b = baseline.summary;
    sweep["baseline"] = {
        {"run_id", Text(b, "run_id")},
        {"db_queries", Count(b, "db_queries")},
        {"reads", std::llround(Reads(b))},
        {"db_qps", Round(DbRate(b), 10)},
        {"db_mean_us", Mean(b, "db")},
        {"e2e_p50_us",
         Number(Object(Object(b, "latency_us"), "end_to_end"), "p50")},
        {"e2e_p99_us",
         Number(Object(Object(b, "latency_us"), "end_to_end"), "p99")},
        {"wall_ms", Number(b, "wall_ms")}};
  }
  int n = 1;
  for (int64_t ttl : options.ttls_ms) {
    for (const std::optional<std::string>& dist : dists) {
      if (code != kExitOk || interrupted->load()) break;
      run::RunParams params = with_dist(options.base, dist);
      params.ttl_ms = ttl;
      params.id = absl::StrFormat("%s-%d", id, n);
      FollowedRun cell =
          run(params, ++n,
              absl::StrFormat("ttl %d ms, %s", ttl, dist.value_or("its dist")));
      code = cell.exit_code;
      if (code == kExitOk) {
        sweep["cells"].push_back(SweepCell(cell.summary, baseline.summary));
      }
    }
  }
  if (interrupted->load() && code == kExitOk) code = kExitRunNotFinished;
  sweep["complete"] = code == kExitOk;
  sweep["finished_at"] = Timestamp();
  if (sweep.contains("baseline")) {
    // Kept for the page, newest first; a sweep stopped early too.
    absl::StatusOr<redis::SyncClient> primary = redis::SyncClient::Connect(
        {settings.redis_primary.host, settings.redis_primary.port,
         settings.redis_username, settings.redis_password,
         settings.connect_timeout});
    const std::string key = settings.Key("sweeps");
    if (primary.ok()) {
      (void)primary->Command(
          {"LPUSH", key,
           sweep.dump(-1, ' ', false,
                      nlohmann::json::error_handler_t::replace)});
      (void)primary->Command(
          {"LTRIM", key, "0", std::to_string(kKeptSweeps - 1)});
    }
    switch (options.format) {
      case SweepOptions::Format::kTable:
        absl::PrintF("%s", FormatSweepTable(sweep));
        break;
      case SweepOptions::Format::kCsv:
        absl::PrintF("%s", FormatSweepCsv(sweep));
        break;
      case SweepOptions::Format::kJson:
        absl::PrintF("%s\n", sweep.dump(2));
        break;
    }
  }
  return code;
}

}  // namespace dbcache::ctl
