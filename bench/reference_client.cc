// dbcache_reference_client: the serial reference for dbcached's DB path. One
// blocking MariaDB connection runs the same SQL sequence as a dbcached run
// with the same seed (the same Workload class draws n), timing each query from
// mysql_real_query to a stored result, which is what dbcached's "db" latency
// covers. Prints one JSON object with per-query percentiles in microseconds.
//
//   eval "$(scripts/local-stack.sh env)"
//   build/bin/dbcache_reference_client --queries 1000 --seed 7
//   {"queries":1000,"seed":7,"limit_max":75,"p50_us":151.3,...}
//
// MySQL settings (host, port, user, password, database, SQL template) come
// from the same flags and environment as dbcached's.
#include <mysql.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "daemon/config/command_line.h"
#include "daemon/config/settings.h"
#include "daemon/run/histogram.h"
#include "daemon/run/workload/workload.h"

ABSL_FLAG(int64_t, queries, 1000, "queries to run, one at a time");
ABSL_FLAG(int64_t, limit_max, 75, "n is uniform in [1, limit_max]");
ABSL_FLAG(uint64_t, seed, 1, "the workload's seed (as in a dbcached run)");
ABSL_FLAG(int64_t, warmup, 0,
          "queries run first and not measured (their own sequence)");

namespace dbcache {
namespace {

constexpr std::string_view kSynopsis =
    "usage: dbcache_reference_client [--queries N] [--limit_max L] [--seed S]"
    " [--warmup W]\n"
    "Runs a dbcached run's SQL sequence serially on one blocking MariaDB\n"
    "connection and prints per-query latency (query to stored result) as JSON.";
constexpr std::string_view kExtraHelp =
    "  --queries N            queries to run (1000)\n"
    "  --limit_max L          n uniform in [1, L] (75)\n"
    "  --seed S               the workload's seed (1)\n"
    "  --warmup W             unmeasured queries first (0)\n";

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double Round1(double v) { return std::round(v * 10.0) / 10.0; }

int Fail(MYSQL* mysql, const char* what) {
  std::fprintf(stderr, "dbcache_reference_client: %s: %s\n", what,
               mysql_error(mysql));
  return 1;
}

// Runs one query and reads its whole result, as dbcached's pool does. Returns
// false on an error.
bool RunQuery(MYSQL* mysql, const std::string& sql, uint64_t* rows) {
  if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) return false;
  MYSQL_RES* result = mysql_store_result(mysql);
  if (result == nullptr) return false;
  *rows += mysql_num_rows(result);
  mysql_free_result(result);
  return true;
}

int Main(int argc, char** argv) {
  const config::ProgramInfo info = {"dbcache_reference_client", kSynopsis,
                                    config::kGroupMysql | config::kGroupRun,
                                    kExtraHelp};
  config::ParseCommandLine(argc, argv, info);
  const config::Settings settings = config::ResolveOrExit(info);
  const int64_t queries = absl::GetFlag(FLAGS_queries);
  const int64_t limit_max = absl::GetFlag(FLAGS_limit_max);
  const uint64_t seed = absl::GetFlag(FLAGS_seed);
  const int64_t warmup = absl::GetFlag(FLAGS_warmup);
  if (queries < 1 || limit_max < 1 || warmup < 0) {
    std::fprintf(stderr,
                 "dbcache_reference_client: --queries and --limit_max must be "
                 ">= 1, --warmup >= 0\n");
    return 2;
  }

  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return 1;
  // The same connection options as dbcached's (daemon/mysql/).
  mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (mysql_real_connect(
          mysql, settings.mysql_host.c_str(), settings.mysql_user.c_str(),
          settings.mysql_password.c_str(), settings.mysql_database.c_str(),
          static_cast<unsigned int>(settings.mysql_port), nullptr,
          0) == nullptr) {
    const int code = Fail(mysql, "connect");
    mysql_close(mysql);
    return code;
  }

  std::string sql;
  std::string key;
  uint64_t rows = 0;
  if (warmup > 0) {
    run::Workload warm(settings.sql_template, settings.mysql_database,
                       settings.prefix, limit_max, seed ^ 0x5741524dULL);
    for (int64_t i = 0; i < warmup; ++i) {
      warm.Next(&sql, &key);
      if (!RunQuery(mysql, sql, &rows)) {
        const int code = Fail(mysql, "warm-up query");
        mysql_close(mysql);
        return code;
      }
    }
  }

  run::Workload workload(settings.sql_template, settings.mysql_database,
                         settings.prefix, limit_max, seed);
  run::LatencyHistogram histogram;
  rows = 0;
  const int64_t wall_start = NowNs();
  for (int64_t i = 0; i < queries; ++i) {
    workload.Next(&sql, &key);
    const int64_t start = NowNs();
    if (!RunQuery(mysql, sql, &rows)) {
      const int code = Fail(mysql, "query");
      mysql_close(mysql);
      return code;
    }
    histogram.Record(static_cast<uint64_t>(NowNs() - start));
  }
  const double wall_ms = static_cast<double>(NowNs() - wall_start) / 1e6;
  mysql_close(mysql);

  const run::LatencySummary s = histogram.Summarize();
  absl::PrintF(
      "{\"queries\":%d,\"seed\":%d,\"limit_max\":%d,\"rows\":%d,"
      "\"wall_ms\":%.3f,\"qps\":%.1f,\"mean_us\":%.1f,\"min_us\":%.1f,"
      "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,"
      "\"max_us\":%.1f}\n",
      queries, seed, limit_max, rows, wall_ms,
      static_cast<double>(queries) / (wall_ms / 1000.0), Round1(s.mean_us),
      Round1(s.min_us), Round1(s.p50_us), Round1(s.p90_us), Round1(s.p99_us),
      Round1(s.p999_us), Round1(s.max_us));
  return 0;
}

}  // namespace
}  // namespace dbcache

int main(int argc, char** argv) { return dbcache::Main(argc, argv); }
