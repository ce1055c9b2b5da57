#include "daemon/run/stats_json.h"

#include "gtest/gtest.h"

namespace dbcache::run {
namespace {

TEST(StatsJsonTest, SnapshotCarriesTheContractFields) {
  RunStats stats;
  RunParams params;
  params.queries = 10;
  params.seed = 5;
  stats.Begin(params, "r42", absl::FromUnixSeconds(1'800'000'000), 1'000'000);
  stats.RecordIssued();
  stats.RecordIssued();
  stats.RecordCacheGet(50'000);
  stats.Complete(Outcome::kHit, 50'000, 50'000);
  mysql::QueryTiming timing;
  timing.wait_ns = 30'000;
  timing.exec_ns = 400'000;
  stats.RecordDb(timing, true);
  stats.Complete(Outcome::kMiss, 500'000, 500'000);
  stats.AddLog(1, "SELECT 1", Outcome::kHit, 50'000);
  stats.AddLog(2, "SELECT \xff bad utf8", Outcome::kMiss, 500'000);
  SnapshotContext context;
  context.now_ns = 1'000'000 + 2'000'000;  // 2 ms in
  context.wall_now = absl::FromUnixSeconds(1'800'000'001);
  context.sql_template = "SELECT {}";
  context.histograms = true;
  const nlohmann::json j = RunJson(stats, context);
  EXPECT_EQ(j["run_id"], "r42");
  EXPECT_EQ(j["state"], "running");
  EXPECT_EQ(j["hits"], 1);
  EXPECT_EQ(j["misses"], 1);
  EXPECT_EQ(j["done"], 2);
  EXPECT_EQ(j["params"]["seed"], 5);
  EXPECT_DOUBLE_EQ(j["hit_ratio"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["wall_ms"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(j["throughput_qps"].get<double>(), 1000.0);
  EXPECT_DOUBLE_EQ(j["speedup"].get<double>(), 8.0);
  EXPECT_DOUBLE_EQ(j["last_hit_us"].get<double>(), 50.0);
  EXPECT_EQ(j["latency_us"]["db"]["count"], 1);
  EXPECT_DOUBLE_EQ(j["latency_us"]["db"]["mean"].get<double>(), 400.0);
  EXPECT_DOUBLE_EQ(j["latency_us"]["pool_wait"]["mean"].get<double>(), 30.0);
  EXPECT_EQ(j["latency_us"]["db_connect"]["count"], 0);
  EXPECT_EQ(j["latency_us"]["end_to_end"]["count"], 2);
  EXPECT_EQ(j["coalesced"], 0);
  EXPECT_EQ(j["db_queries"], 1);
  EXPECT_EQ(j["params"]["stampede"], "coalesce");
  EXPECT_EQ(j["stampede"]["strategy"], "coalesce");
  EXPECT_EQ(j["load"]["shape"], "closed");
  EXPECT_TRUE(j["load"]["target_rate_qps"].is_null());
  EXPECT_TRUE(j["finished_at"].is_null());
  EXPECT_EQ(j["started_at"], "2027-01-15T08:00:00.000Z");
  ASSERT_TRUE(j["histograms"]["cache_hit"].is_array());
  EXPECT_EQ(j["histograms"]["cache_hit"][0][2], 1);

  std::vector<std::string> log;
  stats.ForEachLog([&](const LogEntry& e) {
    log.push_back(DumpJson(LogEntryJson(e, stats.run_id())));
  });
  ASSERT_EQ(log.size(), 2u);
  // Newest first, and bytes that are not UTF-8 never make dump() throw.
  EXPECT_NE(log[0].find("\"seq\":2"), std::string::npos);
  EXPECT_NE(log[0].find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD
}

TEST(StatsJsonTest, LogKeepsTheLast25) {
  RunStats stats;
  stats.Begin(RunParams{}, "r", absl::UnixEpoch(), 0);
  for (uint64_t i = 1; i <= 60; ++i) stats.AddLog(i, "q", Outcome::kHit, 1);
  std::vector<uint64_t> seqs;
  stats.ForEachLog([&](const LogEntry& e) { seqs.push_back(e.seq); });
  ASSERT_EQ(seqs.size(), RunStats::kLogSize);
  EXPECT_EQ(seqs.front(), 60u);
  EXPECT_EQ(seqs.back(), 36u);
}

}  // namespace
}  // namespace dbcache::run
