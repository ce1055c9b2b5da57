#include "daemon/ctl/summary_table.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SummaryTableTest, ShowsCallsLatenciesRatioAndSpeedup) {
  const nlohmann::json summary = nlohmann::json::parse(R"({
    "run_id": "r42", "state": "finished", "done": 1000, "wall_ms": 23.4,
    "throughput_qps": 42709, "hits": 924, "misses": 76, "errors": 0,
    "hit_ratio": 0.924, "speedup": 8.04,
    "latency_us": {
      "cache_hit": {"count": 924, "p50": 8.7, "p99": 88.8, "max": 216.1},
      "db": {"count": 76, "p50": 73.0, "p99": 1491.5, "max": 1491.5},
      "cache_fill": {"count": 76, "p50": 60.3, "p99": 390.7, "max": 390.7}}})");
  const std::string text = FormatSummary(summary);
  EXPECT_THAT(text, HasSubstr("run r42 finished: 1000 queries in 23.4 ms"));
  EXPECT_THAT(text, HasSubstr("cache hit         924        8.7       88.8"));
  EXPECT_THAT(text, HasSubstr("database           76       73.0     1491.5"));
  EXPECT_THAT(text, HasSubstr("hit ratio 92.4%"));
  EXPECT_THAT(text, HasSubstr("speed-up 8.0x"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("reason")));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("workload")));
}

TEST(SummaryTableTest, NamesANamedWorkloadAndItsDistribution) {
  const nlohmann::json summary = nlohmann::json::parse(R"({
    "run_id": "r9", "state": "finished", "done": 10, "hits": 5, "misses": 5,
    "errors": 0, "params": {"workload": "by_customer", "dist": "zipf:1.1",
                            "keys": 19773}})");
  EXPECT_THAT(FormatSummary(summary),
              HasSubstr("workload by_customer: zipf:1.1 over 19773 keys\n"));
}

TEST(SummaryTableTest, ShowsPoolWaitCoalescedStampedeAndOpenLoop) {
  const nlohmann::json summary = nlohmann::json::parse(R"({
    "run_id": "r7", "state": "finished", "done": 200, "hits": 150,
    "misses": 10, "coalesced": 40, "errors": 0,
    "latency_us": {
      "pool_wait": {"count": 10, "p50": 3.5, "p99": 900.0, "max": 950.0},
      "db_connect": {"count": 2, "p50": 400.0, "p99": 500.0, "max": 500.0},
      "coalesced": {"count": 40, "p50": 120.0, "p99": 300.0, "max": 310.0},
      "response": {"count": 200, "p50": 80.0, "p99": 2000.0, "max": 2100.0}},
    "stampede": {"strategy": "coalesce", "db_queries": 10, "expiries": 10,
                 "db_queries_per_expiry": {"p50": 1, "max": 1}},
    "load": {"shape": "open", "target_rate_qps": 20000,
             "issue_rate_qps": 19998.5, "achieved_ratio": 0.9999,
             "late_starts": 3}})");
  const std::string text = FormatSummary(summary);
  EXPECT_THAT(text, HasSubstr("pool wait          10        3.5      900.0"));
  EXPECT_THAT(text, HasSubstr("db connect          2      400.0"));
  EXPECT_THAT(text, HasSubstr("coalesced          40      120.0"));
  EXPECT_THAT(text, HasSubstr("response          200       80.0     2000.0"));
  EXPECT_THAT(text, HasSubstr("coalesced 40  errors 0"));
  EXPECT_THAT(text, HasSubstr("stampede coalesce: 10 DB queries, 10 key "
                              "expiries, DB queries per expiry p50 1 max 1"));
  EXPECT_THAT(text, HasSubstr("open loop: 20000 queries/s wanted, 19998.5 "
                              "started (0.9999), 3 late"));
}

TEST(SummaryTableTest, ShowsWritesStalenessAndVerify) {
  const nlohmann::json summary = nlohmann::json::parse(R"({
    "run_id": "m1", "state": "finished", "done": 4000, "hits": 1929,
    "misses": 1700, "coalesced": 13, "writes": 358, "errors": 0,
    "latency_us": {
      "db_write": {"count": 358, "p50": 210.0, "p99": 900.0, "max": 950.0}},
    "freshness": {"invalidate": "ttl", "stale_reads": 722,
                  "stale_ratio": 0.1982, "verified": 1929,
                  "verify_stale": 722, "unexplained": 0,
                  "staleness_us": {"p50": 483394, "p99": 1195377,
                                   "max": 1209541}}})");
  const std::string text = FormatSummary(summary);
  EXPECT_THAT(text, HasSubstr("db write          358      210.0      900.0"));
  EXPECT_THAT(text,
              HasSubstr("writes 358, invalidate ttl: 722 stale reads (19.82% "
                        "of reads), stale for p50 483394 µs p99 1195377 µs "
                        "max 1209541 µs\n"));
  EXPECT_THAT(text, HasSubstr("verify: 1929 hits re-read, 722 stale, 0 "
                              "unexplained\n"));
  // A read-only run shows neither line.
  const std::string reads = FormatSummary(nlohmann::json::parse(
      R"({"run_id": "r", "state": "finished", "done": 1, "hits": 1})"));
  EXPECT_THAT(reads, Not(HasSubstr("writes")));
  EXPECT_THAT(reads, Not(HasSubstr("verify")));
}

TEST(SummaryTableTest, FailedRunShowsReasonAndLastError) {
  const nlohmann::json summary = nlohmann::json::parse(
      R"({"run_id": "r1", "state": "failed", "reason": "50 queries failed",
          "last_error": "MySQL connect failed"})");
  const std::string text = FormatSummary(summary);
  EXPECT_THAT(text, HasSubstr("run r1 failed"));
  EXPECT_THAT(text, HasSubstr("reason: 50 queries failed"));
  EXPECT_THAT(text, HasSubstr("last error: MySQL connect failed"));
}

TEST(SummaryTableTest, MalformedInputNeverThrows) {
  for (const char* text : {"null", "[]", "42", R"({"latency_us": 5})",
                           R"({"done": "many", "latency_us": {"db": []}})"}) {
    const std::string out = FormatSummary(nlohmann::json::parse(text));
    EXPECT_THAT(out, HasSubstr("run "));
  }
}

}  // namespace
}  // namespace dbcache::ctl
