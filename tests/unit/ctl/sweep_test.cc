#include "daemon/ctl/sweep.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::ctl {
namespace {

using ::testing::HasSubstr;

// A baseline of 1,000 reads, all to MySQL, in 2 s.
const nlohmann::json kBaseline = nlohmann::json::parse(R"({
  "run_id": "s1-base", "wall_ms": 2000, "hits": 0, "misses": 1000,
  "coalesced": 0, "db_queries": 1000})");

nlohmann::json Summary() {
  return nlohmann::json::parse(R"({
    "run_id": "s1-1", "state": "finished", "wall_ms": 500,
    "params": {"ttl_ms": 1000, "dist": "zipf:1.1"},
    "hits": 700, "misses": 250, "coalesced": 50, "writes": 100,
    "db_queries": 250, "hit_ratio": 0.7,
    "freshness": {"stale_ratio": 0.012},
    "latency_us": {"cache_hit": {"mean": 50}, "cache_fill": {"mean": 30},
                   "db": {"mean": 290},
                   "end_to_end": {"p50": 60, "p99": 900}}})");
}

TEST(SweepCellTest, SavedLoadIsPerReadAgainstTheBaseline) {
  const nlohmann::json cell = SweepCell(Summary(), kBaseline);
  EXPECT_EQ(cell["ttl_ms"], 1000);
  EXPECT_EQ(cell["dist"], "zipf:1.1");
  EXPECT_EQ(cell["reads"], 1000);  // writes are not reads
  EXPECT_EQ(cell["db_queries"], 250);
  // 250 statements per 1,000 reads against 1,000 per 1,000.
  EXPECT_DOUBLE_EQ(cell["db_load_saved"].get<double>(), 0.75);
  // Rates are per second of each run: the cached run is busier per second
  // (500 ms) even though it asked a quarter as much.
  EXPECT_DOUBLE_EQ(cell["db_qps"].get<double>(), 500);
  EXPECT_DOUBLE_EQ(cell["baseline_db_qps"].get<double>(), 500);
  // (GET + fill) / (DB + fill) = 80 / 320.
  EXPECT_DOUBLE_EQ(cell["break_even_hit_ratio"].get<double>(), 0.25);
  EXPECT_EQ(cell["e2e_p99_us"], 900);
  EXPECT_DOUBLE_EQ(cell["stale_ratio"].get<double>(), 0.012);
}

TEST(SweepCellTest, UnknownTimesGiveNoBreakEvenAndAnEmptyBaselineNoSaving) {
  nlohmann::json summary = Summary();
  summary["latency_us"].erase("cache_fill");  // every read a hit
  const nlohmann::json cell = SweepCell(summary, nlohmann::json::object());
  EXPECT_TRUE(cell["break_even_hit_ratio"].is_null());
  EXPECT_TRUE(cell["db_load_saved"].is_null());
  // Malformed input never throws.
  for (const char* text : {"null", "[]", R"({"hits": "many"})"}) {
    const nlohmann::json bad = nlohmann::json::parse(text);
    EXPECT_NO_THROW(SweepCell(bad, bad)) << text;
  }
}

TEST(SweepFormatTest, TableAndCsvShowEveryCell) {
  nlohmann::json sweep = {
      {"sweep_id", "s1"},
      {"workload", "mixed"},
      {"queries", 1000},
      {"concurrency", 8},
      {"invalidate", "delete"},
      {"complete", true},
      {"baseline", {{"run_id", "s1-base"}, {"db_qps", 500}}},
      {"cells", {SweepCell(Summary(), kBaseline)}}};
  const std::string table = FormatSweepTable(sweep);
  EXPECT_THAT(table, HasSubstr("sweep s1: workload mixed, 1000 queries per "
                               "run at concurrency 8, invalidate delete\n"));
  EXPECT_THAT(table, HasSubstr("    1000 zipf:1.1        70.0%        500"));
  EXPECT_THAT(table, HasSubstr("75.0%"));
  EXPECT_THAT(table, HasSubstr("1.20%   0.250\n"));
  EXPECT_THAT(FormatSweepCsv(sweep),
              HasSubstr("\n1000,zipf:1.1,0.7,500.0,500.0,0.75,60.0,900.0,"
                        "0.012,0.25,s1-1\n"));
  sweep["complete"] = false;
  EXPECT_THAT(FormatSweepTable(sweep), HasSubstr("(stopped before the end)"));
}

}  // namespace
}  // namespace dbcache::ctl
