#include "daemon/run/stats_json.h"

#include <cstdint>
#include <vector>

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
  stats.Complete(Outcome::kHit, 50'000, 50'000, 1'100'000);
  mysql::QueryTiming timing;
  timing.wait_ns = 30'000;
  timing.exec_ns = 400'000;
  stats.RecordDb(timing, true);
  stats.Complete(Outcome::kMiss, 500'000, 500'000, 1'600'000);
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
  // Not asked for.
  EXPECT_FALSE(j.contains("series"));

  std::vector<std::string> log;
  stats.ForEachLog([&](const LogEntry& e) {
    log.push_back(DumpJson(LogEntryJson(e, stats.run_id())));
  });
  ASSERT_EQ(log.size(), 2u);
  // Newest first, and bytes that are not UTF-8 never make dump() throw.
  EXPECT_NE(log[0].find("\"seq\":2"), std::string::npos);
  EXPECT_NE(log[0].find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD
}

// A run with a query every 30 ms, of every outcome in turn, 10 ms in.
RunStats MakeSeriesRun(int queries) {
  constexpr int64_t kMs = 1'000'000;
  constexpr Outcome kOutcomes[] = {Outcome::kHit, Outcome::kMiss,
                                   Outcome::kCoalesced, Outcome::kWrite,
                                   Outcome::kError};
  RunStats stats;
  stats.Begin(RunParams{}, "r7", absl::UnixEpoch(), 1'000 * kMs);
  for (int i = 0; i < queries; ++i) {
    const Outcome outcome = kOutcomes[i % 5];
    stats.RecordIssued();
    if (outcome == Outcome::kError) stats.RecordError(ErrorKind::kDb, "no");
    stats.Complete(outcome, 100'000 * (i + 1), 100'000 * (i + 1),
                   1'010 * kMs + i * 30 * kMs);
  }
  return stats;
}

TEST(StatsJsonTest, SeriesOnlyWhenAskedAndItsPointsAddUpToDone) {
  RunStats stats = MakeSeriesRun(20);  // the last completes at 580 ms
  SnapshotContext context;
  context.now_ns = 1'000'000'000 + 645'500'000;  // 645.5 ms in
  EXPECT_FALSE(RunJson(stats, context).contains("series"));

  context.series = true;
  const nlohmann::json j = RunJson(stats, context);
  ASSERT_TRUE(j.contains("series"));
  const nlohmann::json& series = j["series"];
  EXPECT_EQ(series["interval_ms"], 100);
  EXPECT_EQ(series["dropped"], 0);
  const nlohmann::json& points = series["points"];
  ASSERT_EQ(points.size(), 7u);  // six closed, and 45.5 ms of the seventh
  std::vector<uint64_t> sums(8, 0);
  for (size_t i = 0; i < points.size(); ++i) {
    SCOPED_TRACE(i);
    const nlohmann::json& p = points[i];
    ASSERT_EQ(p.size(), 10u);
    EXPECT_EQ(p[0], 100 * static_cast<int64_t>(i));  // t_ms
    for (size_t k = 2; k < 8; ++k) sums[k] += p[k].get<uint64_t>();
    // done = hits + misses + coalesced + writes + errors
    EXPECT_EQ(p[2], p[3].get<uint64_t>() + p[4].get<uint64_t>() +
                        p[5].get<uint64_t>() + p[6].get<uint64_t>() +
                        p[7].get<uint64_t>());
  }
  EXPECT_EQ(points[0][1], 100);
  EXPECT_TRUE(points[0][1].is_number_integer());
  EXPECT_DOUBLE_EQ(points[6][1].get<double>(), 45.5);
  EXPECT_EQ(sums[2], j["done"]);
  EXPECT_EQ(sums[2], 20u);
  EXPECT_EQ(sums[3], j["hits"]);
  EXPECT_EQ(sums[4], j["misses"]);
  EXPECT_EQ(sums[5], j["coalesced"]);
  EXPECT_EQ(sums[6], j["writes"]);
  EXPECT_EQ(sums[7], j["errors"]);
  // Interval 0 has the queries at 10, 40 and 70 ms: 0.1, 0.2 and 0.3 ms.
  EXPECT_EQ(points[0][2], 3);
  EXPECT_NEAR(points[0][8].get<double>(), 200.0, 0.5);  // a bucket's middle
  EXPECT_DOUBLE_EQ(points[0][9].get<double>(), 300.0);
  // Nothing completed in the open interval yet: no quantiles.
  EXPECT_EQ(points[6][2], 0);
  EXPECT_TRUE(points[6][8].is_null());
  EXPECT_TRUE(points[6][9].is_null());
}

TEST(StatsJsonTest, AFinishedSeriesAddsUpToDoneWithAbandonedQueries) {
  RunStats stats = MakeSeriesRun(10);  // the last completes at 280 ms
  // Two queries still in flight at a shutdown: errors with no latency.
  stats.RecordError(ErrorKind::kAbandoned, "shutdown");
  stats.RecordError(ErrorKind::kAbandoned, "shutdown");
  stats.End(RunState::kCancelled, "shutdown", absl::UnixEpoch(),
            1'000'000'000 + 312'300'000);
  SnapshotContext context;
  context.now_ns = 99'000'000'000;  // not used: the run has ended
  context.series = true;
  const nlohmann::json j = RunJson(stats, context);
  const nlohmann::json& points = j["series"]["points"];
  ASSERT_EQ(points.size(), 4u);
  uint64_t done = 0;
  uint64_t errors = 0;
  for (const nlohmann::json& p : points) {
    done += p[2].get<uint64_t>();
    errors += p[7].get<uint64_t>();
  }
  EXPECT_EQ(j["done"], 12);
  EXPECT_EQ(done, 12u);
  EXPECT_EQ(errors, j["errors"].get<uint64_t>());
  // The run's last, partial interval, with the abandoned queries.
  EXPECT_DOUBLE_EQ(points[3][1].get<double>(), 12.3);
  EXPECT_EQ(points[3][7], 2);
  EXPECT_TRUE(points[3][9].is_null());
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
