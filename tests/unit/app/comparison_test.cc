#include "daemon/app/comparison.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::app {
namespace {

using Phase = Comparison::Phase;

run::RunParams Params() {
  run::RunParams params;
  params.queries = 1000;
  params.concurrency = 4;
  params.seed = 7;
  params.id = "c1";
  return params;
}

// A finished run's summary: `wall_ms` long, response p50/p99, `db` statements.
nlohmann::json Summary(const char* run_id, bool cache, double wall_ms,
                       double p50, double p99, int db, const char* state) {
  return {{"run_id", run_id},
          {"state", state},
          {"done", 1000},
          {"errors", 0},
          {"wall_ms", wall_ms},
          {"db_queries", db},
          {"hit_ratio", cache ? 0.925 : 0.0},
          {"params", {{"queries", 1000}, {"cache", cache}, {"seed", 7}}},
          {"latency_us", {{"response", {{"p50", p50}, {"p99", p99}}}}},
          {"series",
           {{"interval_ms", 100},
            {"points", {{0, 100, 500, 0, 500, 0, 0, 0, 900, 2000}}}}}};
}

TEST(ComparisonTest, TheRunsAreOffThenOnWithOneSeedAndOneWorkload) {
  Comparison c("c1", Params(), absl::UnixEpoch());
  EXPECT_EQ(c.phase(), Phase::kOff);
  const run::ControlCommand off = c.RunCommand();
  EXPECT_EQ(off.kind, run::CommandKind::kRun);
  EXPECT_FALSE(off.run.cache);
  EXPECT_EQ(off.run.id, "c1-off");
  EXPECT_EQ(off.id, "c1-off");
  EXPECT_EQ(c.RoleOf("c1-off"), "off");
  EXPECT_TRUE(
      c.RunEnded(Summary("c1-off", false, 2000, 900, 4000, 1000, "finished")));
  EXPECT_EQ(c.phase(), Phase::kFlush);
  c.Flushed();
  const run::ControlCommand on = c.RunCommand();
  EXPECT_TRUE(on.run.cache);
  EXPECT_EQ(on.run.id, "c1-on");
  EXPECT_EQ(c.RoleOf("c1-on"), "on");
  EXPECT_EQ(c.RoleOf("c1"), "");
  EXPECT_EQ(c.RoleOf("r1"), "");
  // Everything else is the same run.
  run::RunParams same = on.run;
  same.cache = false;
  same.id = "c1-off";
  EXPECT_EQ(same, off.run);
  EXPECT_EQ(on.run.seed, 7u);
  EXPECT_FALSE(
      c.RunEnded(Summary("c1-on", true, 250, 60, 1000, 75, "finished")));
  EXPECT_EQ(c.phase(), Phase::kDone);
}

TEST(ComparisonTest, TheRecordHasBothSidesTheSpeedupsAndTheSeries) {
  Comparison c("c1", Params(), absl::FromUnixSeconds(100));
  c.RunEnded(Summary("c1-off", false, 2000, 900, 4000, 1000, "finished"));
  c.Flushed();
  c.RunEnded(Summary("c1-on", true, 250, 60, 1000, 75, "finished"));
  const nlohmann::json r = c.Record("finished", "", absl::FromUnixSeconds(103));
  EXPECT_EQ(r["compare_id"], "c1");
  EXPECT_EQ(r["state"], "finished");
  EXPECT_EQ(r["seed"], 7);
  EXPECT_EQ(r["started_at"], "1970-01-01T00:01:40.000Z");
  EXPECT_EQ(r["finished_at"], "1970-01-01T00:01:43.000Z");
  EXPECT_FALSE(r["params"].contains("cache"));
  EXPECT_EQ(r["params"]["queries"], 1000);
  EXPECT_EQ(r["off"]["run_id"], "c1-off");
  EXPECT_EQ(r["on"]["run_id"], "c1-on");
  EXPECT_DOUBLE_EQ(r["off"]["qps"].get<double>(), 500);
  EXPECT_DOUBLE_EQ(r["on"]["qps"].get<double>(), 4000);
  EXPECT_EQ(r["on"]["db_queries"], 75);
  EXPECT_DOUBLE_EQ(r["on"]["hit_ratio"].get<double>(), 0.925);
  EXPECT_DOUBLE_EQ(r["speedup"]["wall"].get<double>(), 8);
  EXPECT_DOUBLE_EQ(r["speedup"]["qps"].get<double>(), 8);
  EXPECT_DOUBLE_EQ(r["speedup"]["p50"].get<double>(), 15);
  EXPECT_DOUBLE_EQ(r["speedup"]["p99"].get<double>(), 4);
  EXPECT_DOUBLE_EQ(r["db_queries_saved"].get<double>(), 0.925);
  EXPECT_EQ(r["series"]["off"]["points"][0][2], 500);
  EXPECT_EQ(r["series"]["on"]["interval_ms"], 100);
  // The effect adds up from the sides alone.
  EXPECT_EQ(CompareEffect(r["off"], r["on"])["speedup"], r["speedup"]);
}

TEST(ComparisonTest, AnOffRunThatDidNotFinishEndsItWithNothingToDivide) {
  Comparison c("c1", Params(), absl::UnixEpoch());
  EXPECT_FALSE(
      c.RunEnded(Summary("c1-off", false, 700, 900, 4000, 300, "cancelled")));
  EXPECT_EQ(c.phase(), Phase::kDone);
  const nlohmann::json r =
      c.Record("cancelled", "the cache=off run cancelled", absl::UnixEpoch());
  EXPECT_EQ(r["off"]["state"], "cancelled");
  EXPECT_TRUE(r["on"].is_null());
  EXPECT_TRUE(r["speedup"]["wall"].is_null());
  EXPECT_TRUE(r["speedup"]["p99"].is_null());
  EXPECT_TRUE(r["db_queries_saved"].is_null());
  EXPECT_EQ(r["reason"], "the cache=off run cancelled");
}

TEST(ComparisonTest, AnOnRunCutShortHasNoSpeedupAndTheSeedIsAlsoText) {
  run::RunParams params = Params();
  params.seed = 18446744073709551557u;  // beyond a double's integers
  Comparison c("c1", params, absl::UnixEpoch());
  c.RunEnded(Summary("c1-off", false, 2000, 900, 4000, 1000, "finished"));
  c.Flushed();
  // 100 of 1000 queries in a fraction of the time: no ratio of it holds.
  c.RunEnded(Summary("c1-on", true, 25, 60, 1000, 10, "cancelled"));
  const nlohmann::json r =
      c.Record("cancelled", "the cache=on run cancelled", absl::UnixEpoch());
  EXPECT_EQ(r["on"]["state"], "cancelled");
  EXPECT_EQ(r["on"]["db_queries"], 10);
  for (const char* key : {"wall", "p50", "p99", "qps"}) {
    EXPECT_TRUE(r["speedup"][key].is_null()) << key;
  }
  EXPECT_TRUE(r["db_queries_saved"].is_null());
  EXPECT_EQ(r["seed"].get<uint64_t>(), 18446744073709551557u);
  EXPECT_EQ(r["seed_text"], "18446744073709551557");
}

TEST(ComparisonTest, ACompareWhoseFirstRunNeverRanStillSaysWhatItAskedFor) {
  Comparison c("c1", Params(), absl::UnixEpoch());
  const nlohmann::json r =
      c.Record("failed", "run c1-off not started: no MySQL", absl::UnixEpoch());
  EXPECT_EQ(r["params"]["queries"], 1000);
  EXPECT_EQ(r["params"]["concurrency"], 4);
  EXPECT_EQ(r["params"]["workload"], "demo");
  EXPECT_FALSE(r["params"].contains("cache"));
  EXPECT_FALSE(r["params"].contains("cmd"));
  EXPECT_TRUE(r["off"].is_null());
  EXPECT_TRUE(r["on"].is_null());
}

TEST(ComparisonTest, ZerosAndMalformedSummariesGiveNullsNeverAThrow) {
  // A side that measured nothing has no ratio, not 0 or infinity.
  const nlohmann::json zero =
      CompareSide(Summary("c1-on", true, 0, 0, 0, 0, "finished"));
  const nlohmann::json off =
      CompareSide(Summary("c1-off", false, 2000, 900, 4000, 1000, "finished"));
  const nlohmann::json effect = CompareEffect(off, zero);
  EXPECT_TRUE(effect["speedup"]["wall"].is_null());
  EXPECT_TRUE(effect["speedup"]["qps"].is_null());
  EXPECT_DOUBLE_EQ(effect["db_queries_saved"].get<double>(), 1.0);
  for (const char* text : {"null", "[]", "7", R"({"wall_ms":"long"})"}) {
    const nlohmann::json bad = nlohmann::json::parse(text);
    EXPECT_NO_THROW(CompareEffect(CompareSide(bad), CompareSide(bad))) << text;
    Comparison c("c1", Params(), absl::UnixEpoch());
    EXPECT_FALSE(c.RunEnded(bad)) << text;  // no state: not finished
    EXPECT_NO_THROW(c.Record("failed", "", absl::UnixEpoch())) << text;
  }
}

}  // namespace
}  // namespace dbcache::app
