#include "daemon/run/daemon_totals.h"

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace dbcache::run {
namespace {

// A run of `hits` hits of `hit_ns` each and `misses` misses, one of them
// abandoned as an error, ended.
RunStats MakeRun(const std::string& id, int hits, uint64_t hit_ns, int misses) {
  RunStats stats;
  stats.Begin(RunParams{}, id, absl::UnixEpoch(), 0);
  for (int i = 0; i < hits; ++i) {
    stats.RecordCacheGet(hit_ns);
    stats.Complete(Outcome::kHit, hit_ns, hit_ns, 0);
  }
  for (int i = 0; i < misses; ++i) {
    stats.Complete(Outcome::kMiss, 2'000'000, 2'000'000, 0);
  }
  stats.RecordError(ErrorKind::kAbandoned, "shutdown");
  stats.Complete(Outcome::kError, 1, 1, 0);
  return stats;
}

uint64_t Done(const nlohmann::json& totals) {
  const nlohmann::json& q = totals["queries"];
  return q["hit"].get<uint64_t>() + q["miss"].get<uint64_t>() +
         q["coalesced"].get<uint64_t>() + q["write"].get<uint64_t>() +
         q["error"].get<uint64_t>();
}

TEST(DaemonTotalsTest, AddsFinishedRunsAndTheOneGoingOn) {
  DaemonTotals totals(absl::FromUnixSeconds(1'800'000'000));
  RunStats first = MakeRun("r1", 10, 9'000, 3);
  first.End(RunState::kFinished, "", absl::UnixEpoch(), 1);
  totals.AddRun(first);
  RunStats second = MakeRun("r2", 5, 9'000, 1);  // still going

  const nlohmann::json before = totals.Json(nullptr);
  EXPECT_EQ(before["runs"], 1);
  EXPECT_EQ(before["queries"]["hit"], 10);
  EXPECT_EQ(before["queries"]["miss"], 3);
  EXPECT_EQ(before["queries"]["error"], 1);
  EXPECT_EQ(before["errors_by_kind"]["abandoned"], 1);
  EXPECT_EQ(Done(before), first.done());
  EXPECT_EQ(before["started_at_unix"], 1'800'000'000.0);

  const nlohmann::json live = totals.Json(&second);
  EXPECT_EQ(live["runs"], 2);
  EXPECT_EQ(live["queries"]["hit"], 15);
  EXPECT_EQ(Done(live), first.done() + second.done());
  // Asking with the live run changes nothing kept.
  EXPECT_EQ(totals.Json(nullptr), before);

  // Once it ends and is added, the totals are what they were while it ran:
  // a counter never steps back at a run's end.
  second.End(RunState::kFinished, "", absl::UnixEpoch(), 1);
  totals.AddRun(second);
  EXPECT_EQ(totals.Json(nullptr), live);
}

TEST(DaemonTotalsTest, LatencyGoesToCumulativeBucketsAtFixedBounds) {
  DaemonTotals totals(absl::UnixEpoch());
  RunStats stats;
  stats.Begin(RunParams{}, "r", absl::UnixEpoch(), 0);
  for (uint64_t ns : {9'000u, 9'500u, 11'000u, 700'000u}) {
    stats.RecordCacheGet(ns);
  }
  stats.RecordCacheGet(20'000'000'000);  // 20 s: above every bound
  stats.End(RunState::kFinished, "", absl::UnixEpoch(), 1);
  totals.AddRun(stats);

  const nlohmann::json j = totals.Json(nullptr);
  const nlohmann::json& le = j["latency_le_seconds"];
  ASSERT_EQ(le.size(), DaemonTotals::kBoundsSeconds.size());
  EXPECT_EQ(le[0], 0.00001);
  const nlohmann::json& hit = j["latency_seconds"]["cache_hit"];
  const nlohmann::json& buckets = hit["buckets"];
  ASSERT_EQ(buckets.size(), le.size() + 1);
  EXPECT_EQ(buckets[0], 2);              // <= 10 us: 9 and 9.5 us
  EXPECT_EQ(buckets[1], 3);              // <= 25 us: and 11 us
  EXPECT_EQ(buckets[5], 3);              // <= 500 us
  EXPECT_EQ(buckets[6], 4);              // <= 1 ms: and 700 us
  EXPECT_EQ(buckets[le.size() - 1], 4);  // <= 10 s
  EXPECT_EQ(buckets[le.size()], 5);      // +Inf: every one
  for (size_t i = 1; i < buckets.size(); ++i) {
    EXPECT_GE(buckets[i], buckets[i - 1]) << i;
  }
  EXPECT_EQ(hit["count"], 5);
  EXPECT_DOUBLE_EQ(hit["sum"].get<double>(), 20.000729500);
  // A source with nothing recorded is there, empty.
  EXPECT_EQ(j["latency_seconds"]["db_write"]["count"], 0);
  EXPECT_EQ(j["latency_seconds"]["db_write"]["buckets"].back(), 0);
  EXPECT_EQ(j["latency_seconds"].size(), DaemonTotals::kSources.size());
}

}  // namespace
}  // namespace dbcache::run
