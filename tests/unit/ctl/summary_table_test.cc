#include "daemon/ctl/summary_table.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::ctl {
namespace {

using ::testing::HasSubstr;

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
