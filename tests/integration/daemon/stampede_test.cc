// Honest numbers under concurrency and at expiry, against the real stack:
// coalescing, the Redis lock across two daemons, pool wait kept apart from the
// statement's own time, and open-loop load.
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "tests/integration/daemon/daemon_fixture.h"
#include "tests/integration/support/run_counts.h"
#include "tests/integration/support/subscribers.h"

namespace dbcache::testing {
namespace {

class StampedeIntegrationTest : public DaemonTest {};

TEST_F(StampedeIntegrationTest, ACold64WayRunQueriesTheDatabaseOncePerKey) {
  // Reads from the primary: a fill and the GETs after it are then ordered on
  // one connection, and replication lag cannot turn a filled key into a miss.
  StartDaemon({"--cache_reads=primary"});
  FlushCache();
  const nlohmann::json coalesce = RunToEnd(
      "run queries=2000 concurrency=64 limit_max=75 ttl_ms=600000 seed=5");
  const int keys = CachedKeys();
  ASSERT_GT(keys, 50);
  EXPECT_EQ(coalesce["db_queries"], keys);
  EXPECT_EQ(coalesce["misses"], keys);
  EXPECT_GT(coalesce["coalesced"].get<int>(), 0);
  EXPECT_EQ(coalesce["stampede"]["db_queries_per_expiry"]["max"], 1);
  EXPECT_EQ(coalesce["latency_us"]["coalesced"]["count"],
            coalesce["coalesced"]);
  EXPECT_EQ(coalesce["errors"], 0);

  // The same cold run without coalescing: the stampede is back.
  FlushCache();
  const nlohmann::json none = RunToEnd(
      "run queries=2000 concurrency=64 limit_max=75 ttl_ms=600000 seed=5 "
      "stampede=none");
  EXPECT_EQ(CachedKeys(), keys);
  EXPECT_EQ(none["coalesced"], 0);
  EXPECT_GT(none["db_queries"].get<int>(), keys);
  EXPECT_GT(none["stampede"]["db_queries_per_expiry"]["max"].get<int>(), 1);
  std::cout << "cold c=64, " << keys << " keys: coalesce "
            << coalesce["db_queries"] << " DB queries, none "
            << none["db_queries"] << "\n";
}

TEST_F(StampedeIntegrationTest,
       TwoDaemonsWithTheLockFillEachKeyOnceBetweenThem) {
  StartDaemon({"--cache_reads=primary"});
  // A second daemon on the same prefix: both hear the run and share the
  // cache, as two hosts in front of one ElastiCache would.
  ChildProcess second({stack_.bin_dir + "/dbcached", "--prefix=" + prefix_,
                       "--cache_reads=primary"},
                      stack_.ProgramEnv());
  ASSERT_TRUE(WaitForSubscribers(*primary_, Key("control"), 2))
      << second.Output();
  FlushCache(2);
  ASSERT_EQ(Publish("run queries=3000 concurrency=32 limit_max=30 "
                    "ttl_ms=600000 stampede=lock id=locked"),
            2);
  std::vector<nlohmann::json> summaries;
  for (int i = 0; i < 2; ++i) {
    nlohmann::json event = WaitForEvent("run_finished");
    ASSERT_EQ(event["run_id"], "locked");
    summaries.push_back(event["summary"]);
    ExpectCountsAddUp(summaries.back());
    EXPECT_EQ(summaries.back()["errors"], 0);
  }
  const int keys = CachedKeys();
  ASSERT_GT(keys, 20);
  const int db_queries = summaries[0]["db_queries"].get<int>() +
                         summaries[1]["db_queries"].get<int>();
  EXPECT_EQ(db_queries, keys) << summaries[0].dump() << summaries[1].dump();
  // Both waited for the other's fills at least once in a cold start of 32
  // queries each.
  EXPECT_GT(summaries[0]["stampede"]["lock_waits"].get<int>() +
                summaries[1]["stampede"]["lock_waits"].get<int>(),
            0);
  second.Signal(SIGTERM);
  EXPECT_EQ(second.WaitForExit(absl::Seconds(10)), 0) << second.Output();
}

TEST_F(StampedeIntegrationTest,
       AboveThePoolTheWaitIsKeptApartFromTheStatement) {
  // cache=off, pool of 16: at c=64 three statements in four wait for a
  // connection. The wait is pool_wait; db is the statement on its connection,
  // so it stays what it is at c=16 (the bug was DB time = the whole queue).
  StartDaemon({"--mysql_pool_max=16"});
  RunToEnd("run queries=2000 concurrency=16 cache=off seed=1");  // warm-up
  const nlohmann::json at16 =
      RunToEnd("run queries=20000 concurrency=16 cache=off seed=1");
  const nlohmann::json at64 =
      RunToEnd("run queries=20000 concurrency=64 cache=off seed=1");
  const double p50_16 = at16["latency_us"]["db"]["p50"].get<double>();
  const double p50_64 = at64["latency_us"]["db"]["p50"].get<double>();
  std::cout << "cache=off DB p50: c=16 " << p50_16 << " us, c=64 " << p50_64
            << " us; pool wait p50 at c=64 "
            << at64["latency_us"]["pool_wait"]["p50"] << " us\n";
  EXPECT_LE(p50_64, 1.5 * p50_16);
  EXPECT_EQ(at64["latency_us"]["pool_wait"]["count"], 20000);
  EXPECT_EQ(at64["latency_us"]["db"]["count"], 20000);
  EXPECT_GT(at64["latency_us"]["pool_wait"]["p50"].get<double>(), p50_64);
  // A fair queue: nobody waits for the whole run.
  EXPECT_LT(at64["latency_us"]["end_to_end"]["max"].get<double>(),
            at64["wall_ms"].get<double>() * 1000.0 / 4);
}

TEST_F(StampedeIntegrationTest,
       OpenLoopOnASlowDatabaseShowsTheQueueInResponse) {
  // Each statement sleeps 20 ms, two at a time: capacity 100/s, offered
  // 250/s. Service time stays about 20 ms; response time, from each query's
  // intended start, grows with the queue (the coordinated omission a closed
  // loop hides).
  StartDaemon({"--sql=SELECT {} AS n, SLEEP(0.02) AS s"});
  const nlohmann::json s =
      RunToEnd("run queries=150 concurrency=2 rate=250 cache=off limit_max=10",
               absl::Seconds(60));
  const double service = s["latency_us"]["end_to_end"]["p99"].get<double>();
  const double response = s["latency_us"]["response"]["p99"].get<double>();
  std::cout << "open loop at 250/s on 100/s: service p99 " << service
            << " us, response p99 " << response << " us, late starts "
            << s["load"]["late_starts"] << "\n";
  EXPECT_EQ(s["load"]["shape"], "open");
  EXPECT_GT(s["load"]["late_starts"].get<int>(), 50);
  EXPECT_GT(response, 5 * service);
  EXPECT_LT(s["load"]["achieved_ratio"].get<double>(), 0.6);
}

TEST_F(StampedeIntegrationTest, OpenLoopBelowCapacityKeepsItsRate) {
  StartDaemon({"--cache_reads=primary"});
  RunToEnd("run queries=500 ttl_ms=600000");  // warm: every key cached
  const nlohmann::json s =
      RunToEnd("run queries=2000 rate=1000 concurrency=16 ttl_ms=600000");
  // Late starts are not asserted: a stall of the daemon longer than 16 ms
  // makes some (19 of 2,000 under ASan in one CI run), and the schedule
  // absorbs them. The achieved rate is the property.
  std::cout << "open loop at 1000/s: achieved " << s["load"]["achieved_ratio"]
            << ", late starts " << s["load"]["late_starts"] << "\n";
  EXPECT_NEAR(s["load"]["achieved_ratio"].get<double>(), 1.0, 0.01);
  EXPECT_EQ(s["load"]["target_rate_qps"], 1000);
}

}  // namespace
}  // namespace dbcache::testing
