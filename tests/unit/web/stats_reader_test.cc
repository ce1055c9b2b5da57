#include "web/stats_reader.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace dbcache::web {
namespace {

using Json = nlohmann::json;

TEST(MakeLiveSnapshotTest, NothingStored) {
  LiveSnapshot snapshot = MakeLiveSnapshot(std::nullopt, std::nullopt, {});
  EXPECT_EQ(snapshot.stats_body, R"({"state":"none"})");
  EXPECT_EQ(snapshot.log_body, R"({"entries":[]})");
  EXPECT_FALSE(snapshot.daemon_online());
  EXPECT_TRUE(snapshot.stats_problem.empty());
  Json status = Json::parse(snapshot.status_body);
  EXPECT_EQ(status["reader"], "ok");
  EXPECT_EQ(status["daemon_online"], false);
  EXPECT_TRUE(status["stats"].is_null());
  EXPECT_TRUE(status["daemon"].is_null());
  EXPECT_EQ(status["log"], Json::array());
}

TEST(MakeLiveSnapshotTest, StatsDaemonAndLog) {
  LiveSnapshot snapshot = MakeLiveSnapshot(
      R"({"run_id":"r1","state":"finished","hits":3})",
      R"({"state":"idle","version":"0.1.0"})",
      {R"({"seq":2,"sql":"<b>x</b>","source":"hit","latency_us":70.4})",
       "not json", "[1]",
       R"({"seq":1,"sql":"SELECT 1","source":"miss","latency_us":350})"});
  EXPECT_TRUE(snapshot.daemon_online());
  EXPECT_EQ(Json::parse(snapshot.stats_body)["hits"], 3);
  // /metrics is rendered once per fetch too.
  EXPECT_NE(snapshot.metrics_body.find("\ndbcache_daemon_up 1\n"),
            std::string::npos)
      << snapshot.metrics_body;
  EXPECT_NE(snapshot.metrics_body.find(
                "dbcache_run_queries_done{result=\"hit\"} 3\n"),
            std::string::npos)
      << snapshot.metrics_body;
  Json log = Json::parse(snapshot.log_body)["entries"];
  ASSERT_EQ(log.size(), 2u);  // The two that are not objects are skipped.
  EXPECT_EQ(log[0]["sql"], "<b>x</b>");
  EXPECT_EQ(log[1]["seq"], 1);
  Json status = Json::parse(snapshot.status_body);
  EXPECT_EQ(status["daemon_online"], true);
  EXPECT_EQ(status["stats"]["run_id"], "r1");
  EXPECT_EQ(status["log"].size(), 2u);
}

TEST(MakeLiveSnapshotTest, CorruptStatsAreReported) {
  LiveSnapshot snapshot = MakeLiveSnapshot("{oops", std::nullopt, {});
  EXPECT_FALSE(snapshot.stats_problem.empty());
  EXPECT_TRUE(snapshot.stats.is_null());
  EXPECT_EQ(Json::parse(snapshot.status_body)["stats_problem"],
            snapshot.stats_problem);
}

TEST(MakeLiveSnapshotTest, NonUtf8TextDoesNotThrow) {
  // nlohmann rejects invalid UTF-8 when parsing, so such an entry is skipped.
  LiveSnapshot snapshot =
      MakeLiveSnapshot(std::nullopt, std::nullopt, {"{\"sql\":\"\xff\"}"});
  EXPECT_EQ(snapshot.log_body, R"({"entries":[]})");
}

TEST(MakeListSnapshotTest, NewestFirstAsStoredUnderItsName) {
  ListSnapshot snapshot =
      MakeListSnapshot("runs", {R"({"run_id":"r2"})", R"({"run_id":"r1"})"});
  Json body = Json::parse(snapshot.body);
  ASSERT_EQ(body["runs"].size(), 2u);
  EXPECT_EQ(body["runs"][0]["run_id"], "r2");
  EXPECT_EQ(snapshot.items, body["runs"]);
  EXPECT_EQ(MakeListSnapshot("runs", {}).body, R"({"runs":[]})");
}

TEST(MakeListSnapshotTest, SkipsEntriesThatAreNotObjects) {
  ListSnapshot snapshot = MakeListSnapshot(
      "sweeps", {R"({"sweep_id":"s2","cells":[]})", "not json", "[1,2]",
                 R"("text")", R"({"sweep_id":"s1"})"});
  EXPECT_EQ(snapshot.body,
            R"({"sweeps":[{"cells":[],"sweep_id":"s2"},{"sweep_id":"s1"}]})");
}

TEST(MakeComparesSnapshotTest, TheListLeavesSeriesOutAndFindHasThem) {
  ComparesSnapshot snapshot = MakeComparesSnapshot(
      {R"({"compare_id":"c2","state":"finished","series":{"off":{"points":[[0,100,5,0,5,0,0,0,1,2]]}}})",
       R"({"compare_id":"c1","state":"cancelled"})", "not json",
       R"({"compare_id":7})"});
  Json body = Json::parse(snapshot.body);
  ASSERT_EQ(body["compares"].size(), 3u);  // the one not JSON is skipped
  EXPECT_EQ(body["compares"][0]["compare_id"], "c2");
  EXPECT_FALSE(body["compares"][0].contains("series"));
  EXPECT_EQ(body["compares"][1]["state"], "cancelled");
  const Json* c2 = snapshot.Find("c2");
  ASSERT_NE(c2, nullptr);
  EXPECT_EQ((*c2)["series"]["off"]["points"][0][2], 5);
  EXPECT_NE(snapshot.Find("c1"), nullptr);
  EXPECT_EQ(snapshot.Find("c3"), nullptr);
  EXPECT_EQ(snapshot.Find("7"), nullptr);  // not a string id
  EXPECT_EQ(MakeComparesSnapshot({}).body, R"({"compares":[]})");
}

}  // namespace
}  // namespace dbcache::web
