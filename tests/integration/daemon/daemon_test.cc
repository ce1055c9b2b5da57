// dbcached against real servers: Redis primary + replica and MariaDB from the
// local_stack fixture.
#include <signal.h>

#include <set>

#include "daemon/cache/codec.h"
#include "daemon/cache/digest.h"
#include "gmock/gmock.h"
#include "tests/integration/daemon/daemon_fixture.h"
#include "tests/integration/support/run_counts.h"

namespace dbcache::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(DaemonTest, ThousandQueryRunViaPublishMatchesSnapshotOnTheReader) {
  StartDaemon();
  ASSERT_EQ(Publish("run"), 1);
  nlohmann::json started = WaitForEvent("run_started");
  EXPECT_EQ(started["queries"], 1000);
  nlohmann::json finished = WaitForEvent("run_finished");
  const nlohmann::json& summary = finished["summary"];
  EXPECT_EQ(summary["state"], "finished");
  ExpectCountsAddUp(summary);
  EXPECT_EQ(summary["issued"], 1000);
  EXPECT_EQ(summary["errors"], 0);
  EXPECT_GT(summary["hits"].get<int>(), 0);
  EXPECT_EQ(summary["max_in_flight"], 1);
  // The final snapshot reaches the reader through replication.
  nlohmann::json on_reader;
  ASSERT_TRUE(WaitFor(
      [&] {
        on_reader = GetJson(*reader_, Key("stats"));
        return on_reader.is_object() && on_reader["state"] == "finished" &&
               on_reader["run_id"] == summary["run_id"];
      },
      absl::Seconds(10)));
  ExpectCountsAddUp(on_reader);
  for (const char* field : {"hits", "misses", "errors", "done", "queries"}) {
    EXPECT_EQ(on_reader[field], summary[field]) << field;
  }
  EXPECT_EQ(on_reader["latency_us"]["cache_hit"]["count"], summary["hits"]);
  // History and the recent-query log.
  nlohmann::json latest_run;
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<redis::ReplyPtr> r =
            reader_->Command({"LINDEX", Key("runs"), "0"});
        if (!r.ok() || (*r)->type != REDIS_REPLY_STRING) return false;
        latest_run = nlohmann::json::parse((*r)->str, nullptr, false);
        return true;
      },
      absl::Seconds(10)));
  EXPECT_EQ(latest_run["run_id"], summary["run_id"]);
  absl::StatusOr<redis::ReplyPtr> log =
      primary_->Command({"LRANGE", Key("log"), "0", "-1"});
  ASSERT_TRUE(log.ok());
  ASSERT_EQ((*log)->elements, 25u);
  nlohmann::json newest = nlohmann::json::parse((*log)->element[0]->str);
  EXPECT_EQ(newest["seq"], 1000);
  EXPECT_THAT(newest["sql"].get<std::string>(),
              HasSubstr("SELECT customer_id, review_id FROM reviews LIMIT "));
  // A heartbeat with the connection states.
  nlohmann::json heartbeat = GetJson(*primary_, Key("daemon"));
  EXPECT_EQ(heartbeat["state"], "idle");
  EXPECT_EQ(heartbeat["connections"]["subscriber"], "connected");
  absl::StatusOr<redis::ReplyPtr> ttl =
      primary_->Command({"PTTL", Key("daemon")});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT((*ttl)->integer, 0);
  EXPECT_LE((*ttl)->integer, 3000);
}

TEST_F(DaemonTest, CachedValueDecodesToExactlyTheRowsMariaDbReturns) {
  StartDaemon();
  ASSERT_EQ(Publish("run queries=200 limit_max=20 ttl_ms=60000 seed=3"), 1);
  ExpectCountsAddUp(WaitForEvent("run_finished")["summary"]);
  int checked = 0;
  for (int n = 1; n <= 20; ++n) {
    const std::string sql =
        "SELECT customer_id, review_id FROM reviews LIMIT " + std::to_string(n);
    absl::StatusOr<std::optional<std::string>> value =
        primary_->Get(cache::CacheKey(prefix_, "reviews", sql));
    ASSERT_TRUE(value.ok());
    if (!value->has_value()) continue;  // n not drawn
    absl::StatusOr<cache::ResultSet> decoded = cache::DecodeResultSet(**value);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, QueryMariaDb(stack_, sql)) << sql;
    EXPECT_EQ(decoded->rows.size(), static_cast<size_t>(n));
    ++checked;
  }
  EXPECT_GE(checked, 15);
}

TEST_F(DaemonTest, ExpiredTtlTurnsAHitIntoAMiss) {
  // Reads from the primary, so that replication lag cannot fake a miss; and
  // limit_max=1, so that every query is the same statement.
  StartDaemon({"--cache_reads=primary"});
  const std::string key = cache::CacheKey(
      prefix_, "reviews", "SELECT customer_id, review_id FROM reviews LIMIT 1");
  auto run = [&](int64_t ttl_ms) {
    EXPECT_EQ(
        Publish("run queries=1 limit_max=1 ttl_ms=" + std::to_string(ttl_ms)),
        1);
    nlohmann::json summary = WaitForEvent("run_finished")["summary"];
    ExpectCountsAddUp(summary);
    return summary;
  };
  auto pttl = [&] {
    absl::StatusOr<redis::ReplyPtr> r = primary_->Command({"PTTL", key});
    EXPECT_TRUE(r.ok());
    return r.ok() ? (*r)->integer : -100;
  };
  // Within its TTL the entry serves the next query. The TTL is long enough
  // that no machine, however slow, sees it lapse between the two runs.
  EXPECT_EQ(run(600000)["misses"], 1);
  EXPECT_GT(pttl(), 0);
  EXPECT_LE(pttl(), 600000);
  EXPECT_EQ(run(600000)["hits"], 1);

  // Stored with a short TTL, the entry expires by Redis's clock (the test only
  // waits for that to happen), and the next query misses and stores it again.
  ASSERT_EQ(Publish("flush"), 1);
  WaitForEvent("flushed");
  EXPECT_EQ(run(200)["misses"], 1);
  const long long short_ttl = pttl();
  EXPECT_LE(short_ttl, 200);  // -2 once it has already expired
  EXPECT_NE(short_ttl, -1) << "stored without an expiry";
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<redis::ReplyPtr> r = primary_->Command({"EXISTS", key});
        return r.ok() && (*r)->integer == 0;
      },
      absl::Seconds(10)));
  nlohmann::json after = run(600000);
  EXPECT_EQ(after["misses"], 1);
  EXPECT_EQ(after["hits"], 0);
  EXPECT_GT(pttl(), 0);
}

TEST_F(DaemonTest, Concurrency32CompletesWithAtMost32InFlight) {
  StartDaemon({"--cache_reads=primary"});
  ASSERT_EQ(Publish("run queries=5000 concurrency=32"), 1);
  nlohmann::json summary = WaitForEvent("run_finished")["summary"];
  EXPECT_EQ(summary["state"], "finished");
  ExpectCountsAddUp(summary);
  EXPECT_EQ(summary["done"], 5000);
  EXPECT_EQ(summary["errors"], 0);
  EXPECT_EQ(summary["max_in_flight"], 32);
  EXPECT_EQ(summary["in_flight"], 0);
}

TEST_F(DaemonTest, CacheOffSendsEveryQueryToTheDatabase) {
  StartDaemon();
  ASSERT_EQ(
      Publish(R"({"cmd":"run","queries":300,"cache":"off","concurrency":4})"),
      1);
  nlohmann::json summary = WaitForEvent("run_finished")["summary"];
  ExpectCountsAddUp(summary);
  EXPECT_EQ(summary["misses"], 300);
  EXPECT_EQ(summary["hits"], 0);
  EXPECT_EQ(summary["latency_us"]["cache_fill"]["count"], 0);
  absl::StatusOr<redis::ReplyPtr> keys =
      primary_->Command({"KEYS", Key("q:*")});
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ((*keys)->elements, 0u);
}

TEST_F(DaemonTest, MalformedMessageGetsAnErrorEventAndTheNextRunWorks) {
  StartDaemon();
  ASSERT_EQ(Publish("run querys=10"), 1);
  nlohmann::json error = WaitForEvent("error");
  EXPECT_EQ(error["error"], "invalid");
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("querys"));
  ASSERT_EQ(Publish("run queries=0"), 1);
  EXPECT_THAT(WaitForEvent("error")["message"].get<std::string>(),
              HasSubstr("queries"));
  ASSERT_EQ(Publish(std::string("\xff\xfe\x00run", 6)), 1);
  EXPECT_EQ(WaitForEvent("error")["error"], "invalid");
  ASSERT_EQ(Publish("ping"), 1);
  EXPECT_EQ(WaitForEvent("pong")["state"], "idle");
  // Nothing ran, nothing was written.
  EXPECT_TRUE(GetJson(*primary_, Key("stats")).is_null());
  ASSERT_EQ(Publish("run queries=10"), 1);
  nlohmann::json summary = WaitForEvent("run_finished")["summary"];
  ExpectCountsAddUp(summary);
  EXPECT_EQ(summary["done"], 10);
  // The heartbeat (refreshed every second) counts the rejected messages.
  EXPECT_TRUE(WaitFor(
      [&] {
        nlohmann::json heartbeat = GetJson(*primary_, Key("daemon"));
        return heartbeat.is_object() && heartbeat["control_errors"] == 3;
      },
      absl::Seconds(10)));
}

TEST_F(DaemonTest, BusyCancelFlushAndReset) {
  StartDaemon({"--cache_reads=primary"});
  ASSERT_EQ(Publish("run queries=10000000 id=long-one"), 1);
  WaitForEvent("run_started");
  ASSERT_EQ(Publish("run queries=5"), 1);
  nlohmann::json busy = WaitForEvent("error");
  EXPECT_EQ(busy["error"], "busy");
  EXPECT_THAT(busy["message"].get<std::string>(), HasSubstr("long-one"));
  ASSERT_EQ(Publish("cancel"), 1);
  nlohmann::json finished = WaitForEvent("run_finished");
  EXPECT_EQ(finished["summary"]["state"], "cancelled");
  EXPECT_EQ(finished["run_id"], "long-one");
  ExpectCountsAddUp(finished["summary"]);
  EXPECT_LT(finished["summary"]["issued"].get<int64_t>(), 10000000);
  ASSERT_EQ(Publish("flush"), 1);
  EXPECT_GT(WaitForEvent("flushed")["removed"].get<int>(), 0);
  absl::StatusOr<redis::ReplyPtr> keys =
      primary_->Command({"KEYS", Key("q:*")});
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ((*keys)->elements, 0u);
  ASSERT_EQ(Publish("reset"), 1);
  WaitForEvent("reset");
  EXPECT_TRUE(GetJson(*primary_, Key("stats")).is_null());
  absl::StatusOr<redis::ReplyPtr> runs =
      primary_->Command({"LLEN", Key("runs")});
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ((*runs)->integer, 0);
}

TEST_F(DaemonTest, SigtermMidRunExitsZeroWithFinalSnapshotAndSummary) {
  StartDaemon({"--cache_reads=primary"});
  ASSERT_EQ(Publish("run queries=10000000 concurrency=64"), 1);
  nlohmann::json started = WaitForEvent("run_started");
  ASSERT_TRUE(WaitFor(
      [&] {
        nlohmann::json s = GetJson(*primary_, Key("stats"));
        return s.is_object() && s["done"].get<int>() > 1000;
      },
      absl::Seconds(10)));
  daemon_->Signal(SIGTERM);
  // The daemon's own timers end it 4.5 s after SIGTERM at the latest (3 s to
  // drain, 1.5 s for Redis to confirm); the margin is the process's own exit,
  // a sanitizer's leak check included, on a loaded machine.
  EXPECT_EQ(daemon_->WaitForExit(absl::Seconds(10)), 0) << daemon_->Output();
  nlohmann::json final_stats = GetJson(*primary_, Key("stats"));
  EXPECT_EQ(final_stats["state"], "cancelled");
  EXPECT_THAT(final_stats["reason"].get<std::string>(), HasSubstr("SIGTERM"));
  ExpectCountsAddUp(final_stats);
  EXPECT_GT(final_stats["done"].get<int64_t>(), 1000);
  absl::StatusOr<redis::ReplyPtr> latest =
      primary_->Command({"LINDEX", Key("runs"), "0"});
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ((*latest)->type, REDIS_REPLY_STRING);
  nlohmann::json summary = nlohmann::json::parse((*latest)->str);
  EXPECT_EQ(summary["run_id"], started["run_id"]);
  EXPECT_EQ(summary["state"], "cancelled");
  ExpectCountsAddUp(summary);
  EXPECT_EQ(summary["done"], final_stats["done"]);
  // The heartbeat is removed: the daemon says it is gone.
  EXPECT_TRUE(GetJson(*primary_, Key("daemon")).is_null());
  EXPECT_THAT(daemon_->Output(), HasSubstr("SIGTERM: shutting down"));
}

}  // namespace
}  // namespace dbcache::testing
