#include "daemon/ctl/compare_table.h"

#include <string>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::ctl {
namespace {

using ::testing::HasSubstr;

const nlohmann::json kRecord = nlohmann::json::parse(R"({
  "compare_id": "c1", "state": "finished", "reason": "", "seed": 7,
  "params": {"workload": "demo", "queries": 1000, "concurrency": 4},
  "off": {"run_id": "c1-off", "wall_ms": 2000, "qps": 500, "p50_us": 900,
          "p99_us": 4000, "db_queries": 1000, "hit_ratio": 0, "errors": 0},
  "on": {"run_id": "c1-on", "wall_ms": 250, "qps": 4000, "p50_us": 60,
         "p99_us": 1000, "db_queries": 75, "hit_ratio": 0.925, "errors": 0},
  "speedup": {"wall": 8, "qps": 8, "p50": 15, "p99": 4},
  "db_queries_saved": 0.925})");

TEST(CompareTableTest, BothRunsSideBySideWithTheEffect) {
  const std::string table = FormatCompareTable(kRecord);
  EXPECT_THAT(table, HasSubstr("compare c1: workload demo, 1000 queries at "
                               "concurrency 4, seed 7\n"));
  EXPECT_THAT(table, HasSubstr("2000.0        250.0   8.00x faster"));
  EXPECT_THAT(table, HasSubstr("4.00x lower"));
  EXPECT_THAT(table, HasSubstr("92.5% fewer"));
  EXPECT_THAT(table, HasSubstr("92.5%"));
  EXPECT_THAT(table, HasSubstr("runs c1-off and c1-on"));
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    EXPECT_FALSE(!line.empty() && line.back() == ' ') << "'" << line << "'";
  }
}

TEST(CompareTableTest, AnUnfinishedCompareSaysWhyAndShowsDashes) {
  nlohmann::json record = kRecord;
  record["state"] = "cancelled";
  record["reason"] = "the cache=off run cancelled";
  record["on"] = nullptr;
  record["speedup"] = {{"wall", nullptr}};
  record["db_queries_saved"] = nullptr;
  const std::string table = FormatCompareTable(record);
  EXPECT_THAT(table, HasSubstr("(cancelled: the cache=off run cancelled)"));
  EXPECT_THAT(table, HasSubstr("runs c1-off and -"));
  EXPECT_THAT(table, ::testing::Not(HasSubstr("faster")));
  for (const char* text : {"null", "[]", R"({"off": 5, "speedup": []})"}) {
    EXPECT_NO_THROW(FormatCompareTable(nlohmann::json::parse(text))) << text;
  }
}

}  // namespace
}  // namespace dbcache::ctl
