#include "web/metrics.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace dbcache::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The stats document as the daemon writes it (see the Redis contract).
nlohmann::json SampleStats() {
  return nlohmann::json::parse(R"({
    "run_id": "r42", "state": "running", "reason": "",
    "params": {"queries": 1000, "concurrency": 1, "ttl_ms": 5000,
               "limit_max": 75, "seed": 123, "cache": true},
    "wall_ms": 1234.5, "queries": 1000, "issued": 501, "done": 500,
    "in_flight": 1, "hits": 400, "misses": 100, "errors": 0,
    "errors_by_kind": {"cache_read": 0, "db": 0, "abandoned": 2},
    "fill_errors": 3, "corrupt_entries": 0, "hit_ratio": 0.8, "throughput_qps": 405.1,
    "speedup": 12.3, "last_hit_us": 71.2, "last_miss_us": 350.1,
    "latency_us": {
      "cache_hit": {"count": 400, "mean": 70.1, "min": 50.0, "p50": 69.0,
                    "p90": 80.0, "p99": 120.0, "p999": 150.0, "max": 151.0},
      "db": {"count": 100, "mean": 862.5, "min": 300.0, "p50": 800.0,
             "p90": 1200.0, "p99": 2000.0, "p999": 2100.0, "max": 2101.5}
    },
    "daemon_totals": {
      "started_at_unix": 1800000000.5, "runs": 3,
      "queries": {"hit": 4400, "miss": 600, "coalesced": 7, "write": 0,
                  "error": 2},
      "errors_by_kind": {"cache_read": 0, "db": 0, "abandoned": 2},
      "db_queries": 600, "fill_errors": 3,
      "latency_le_seconds": [0.0001, 0.001],
      "latency_seconds": {
        "cache_hit": {"buckets": [4300, 4400, 4400], "sum": 0.31,
                      "count": 4400},
        "db": {"buckets": [0, 580, 600], "sum": 0.52, "count": 600},
        "bad": {"buckets": [1, 2], "sum": 1, "count": 2}
      }
    }
  })");
}

nlohmann::json SampleDaemon() {
  return nlohmann::json::parse(
      R"({"version":"0.1.0","pid":123,"host":"box","state":"running"})");
}

TEST(RenderMetricsTest, WritesRunGauges) {
  const std::string text = RenderMetrics(true, SampleStats(), SampleDaemon());
  EXPECT_THAT(text, HasSubstr("\ndbcache_up 1\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_daemon_up 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE dbcache_run_queries_done gauge\n"));
  EXPECT_THAT(text,
              HasSubstr("dbcache_run_queries_done{result=\"hit\"} 400\n"));
  EXPECT_THAT(text,
              HasSubstr("dbcache_run_queries_done{result=\"miss\"} 100\n"));
  EXPECT_THAT(text,
              HasSubstr("dbcache_run_queries_done{result=\"error\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("dbcache_run_errors{kind=\"abandoned\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_run_cache_fill_errors 3\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_run_in_flight 1\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_run_running 1\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_run_hit_ratio 0.8\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_run_throughput_qps 405.1\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_run_wall_seconds 1.2345\n"));
  EXPECT_THAT(
      text,
      HasSubstr("dbcache_run_info{run_id=\"r42\",state=\"running\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("dbcache_daemon_info{version=\"0.1.0\",host=\"box\","
                        "state=\"running\"} 1\n"));
  // A run's figures restart with every run: never typed as counters.
  EXPECT_THAT(text, Not(::testing::ContainsRegex("dbcache_run_[a-z_]*_total")));
}

TEST(RenderMetricsTest, CountersAreTheDaemonsTotals) {
  const std::string text = RenderMetrics(true, SampleStats(), SampleDaemon());
  EXPECT_THAT(text, HasSubstr("# TYPE dbcache_queries_total counter\n"));
  EXPECT_THAT(text,
              HasSubstr("\ndbcache_queries_total{result=\"hit\"} 4400\n"));
  EXPECT_THAT(text,
              HasSubstr("\ndbcache_queries_total{result=\"coalesced\"} 7\n"));
  EXPECT_THAT(text,
              HasSubstr("\ndbcache_errors_total{kind=\"abandoned\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_runs_total 3\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_db_queries_total 600\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_cache_fill_errors_total 3\n"));
  EXPECT_THAT(text,
              HasSubstr("\ndbcache_daemon_start_time_seconds 1800000000.5\n"));
  // Absent from the totals: left out, not zero.
  EXPECT_THAT(text, Not(HasSubstr("dbcache_lock_waits_total")));
}

TEST(RenderMetricsTest, LatencyIsAHistogramInSeconds) {
  const std::string text = RenderMetrics(true, SampleStats(), SampleDaemon());
  EXPECT_THAT(text, HasSubstr("# TYPE dbcache_latency_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_latency_seconds_bucket{source=\"cache_"
                              "hit\",le=\"0.0001\"} 4300\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_latency_seconds_bucket{source=\"cache_"
                              "hit\",le=\"0.001\"} 4400\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_latency_seconds_bucket{source=\"cache_"
                              "hit\",le=\"+Inf\"} 4400\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_latency_seconds_sum{source=\"db\"} "
                              "0.52\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_latency_seconds_count{source=\"db\"} "
                              "600\n"));
  // A source whose buckets do not match the bounds is left out whole.
  EXPECT_THAT(text, Not(HasSubstr("source=\"bad\"")));
  // The run's percentiles: gauges in seconds, not a summary.
  EXPECT_THAT(text, HasSubstr("# TYPE dbcache_run_latency_seconds gauge\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_run_latency_seconds{source=\"cache_"
                              "hit\",percentile=\"50\"} 6.9e-05\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_run_latency_seconds{source=\"db\","
                              "percentile=\"99.9\"} 0.0021\n"));
  EXPECT_THAT(text,
              HasSubstr("\ndbcache_run_latency_max_seconds{source=\"db\"} "
                        "0.0021015\n"));
  EXPECT_THAT(text, Not(HasSubstr("microseconds")));
  EXPECT_THAT(text, Not(HasSubstr("quantile")));
}

TEST(RenderMetricsTest, EverySampleLineIsWellFormed) {
  const std::string text = RenderMetrics(true, SampleStats(), SampleDaemon());
  // name{labels} value, or a # HELP / # TYPE comment; nothing else.
  const std::string name = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  const std::string labels = R"((\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})?)";
  const std::string value = R"(-?[0-9.e+-]+|NaN|\+Inf|-Inf)";
  size_t start = 0;
  int samples = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "the text must end with a newline";
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0)
      continue;
    EXPECT_THAT(line,
                ::testing::MatchesRegex(name + labels + " (" + value + ")"))
        << line;
    ++samples;
  }
  EXPECT_GT(samples, 20);
}

TEST(RenderMetricsTest, ReaderDownReportsOnlyUp) {
  EXPECT_EQ(
      RenderMetrics(false, nullptr, nullptr),
      "# HELP dbcache_up 1 when dbcache-web can read from the Redis reader "
      "endpoint.\n# TYPE dbcache_up gauge\ndbcache_up 0\n");
}

TEST(RenderMetricsTest, NoDaemonAndNoStats) {
  const std::string text = RenderMetrics(true, nullptr, nullptr);
  EXPECT_THAT(text, HasSubstr("\ndbcache_up 1\n"));
  EXPECT_THAT(text, HasSubstr("\ndbcache_daemon_up 0\n"));
  EXPECT_THAT(text, Not(HasSubstr("dbcache_daemon_info")));
  EXPECT_THAT(text, Not(HasSubstr("dbcache_run_")));
}

TEST(RenderMetricsTest, MissingOrMistypedFieldsAreLeftOut) {
  nlohmann::json stats = {
      {"run_id", "r1"}, {"state", "finished"}, {"hits", "many"}, {"misses", 3}};
  const std::string text = RenderMetrics(true, stats, nullptr);
  EXPECT_THAT(text, Not(HasSubstr("result=\"hit\"")));
  EXPECT_THAT(text, HasSubstr("dbcache_run_queries_done{result=\"miss\"} 3\n"));
  EXPECT_THAT(text, Not(HasSubstr("dbcache_latency_seconds")));
  EXPECT_THAT(text, Not(HasSubstr("_total")));
  EXPECT_THAT(text, HasSubstr("\ndbcache_run_running 0\n"));
}

TEST(RenderMetricsTest, LabelValuesAreEscaped) {
  nlohmann::json stats = {{"run_id", "a\"b\\c\nd"}, {"state", "finished"}};
  EXPECT_THAT(
      RenderMetrics(true, stats, nullptr),
      HasSubstr(R"(dbcache_run_info{run_id="a\"b\\c\nd",state="finished"} 1)"));
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
}

TEST(FormatMetricValueTest, Forms) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(69.0), "69");
  EXPECT_EQ(FormatMetricValue(-3), "-3");
  EXPECT_EQ(FormatMetricValue(350.1), "350.1");
  EXPECT_EQ(FormatMetricValue(0.8), "0.8");
  EXPECT_EQ(FormatMetricValue(1e300), "1e+300");
  EXPECT_EQ(FormatMetricValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatMetricValue(HUGE_VAL), "+Inf");
  EXPECT_EQ(FormatMetricValue(-HUGE_VAL), "-Inf");
}

}  // namespace
}  // namespace dbcache::web
