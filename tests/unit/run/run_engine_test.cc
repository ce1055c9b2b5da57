#include "daemon/run/run_engine.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "daemon/cache/codec.h"
#include "daemon/cache/digest.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/fakes/fake_mysql_executor.h"
#include "tests/unit/fakes/fake_redis_client.h"
#include "tests/unit/fakes/fake_scheduler.h"
#include "tests/unit/support/run_counts.h"

namespace dbcache::run {
namespace {

using testing::ExpectCountsAddUp;
using testing::FakeMysqlExecutor;
using testing::FakeRedisClient;
using testing::FakeScheduler;
using ::testing::HasSubstr;

constexpr char kTemplate[] =
    "SELECT customer_id, review_id FROM reviews LIMIT {}";

class RunEngineTest : public ::testing::Test {
 protected:
  RunEngineTest()
      : engine_(clock_, redis_, redis_, db_,
                EngineConfig{"reviews", "dbcache:", kTemplate, 5}) {
    engine_.SetFinishedCallback([this](const RunStats& stats) {
      ++finished_calls_;
      finished_state_ = stats.state();
    });
  }

  RunParams Params(int64_t queries, int concurrency, bool cache = true) {
    RunParams p;
    p.queries = queries;
    p.concurrency = concurrency;
    p.limit_max = 10;
    p.seed = 7;
    p.cache = cache;
    return p;
  }

  // Answers Redis and MySQL one reply at a time, alternating, with time
  // passing, and checks the in-flight bound after every step.
  void Pump(int concurrency) {
    bool progressed = true;
    while (progressed) {
      progressed = false;
      clock_.Advance(absl::Microseconds(10));
      if (redis_.AnswerOne()) progressed = true;
      EXPECT_LE(engine_.in_flight(), concurrency);
      if (db_.SucceedOne()) progressed = true;
      EXPECT_LE(engine_.in_flight(), concurrency);
    }
  }

  FakeScheduler clock_;
  FakeRedisClient redis_;
  FakeMysqlExecutor db_{&clock_};
  RunEngine engine_;
  int finished_calls_ = 0;
  RunState finished_state_ = RunState::kNone;
};

TEST_F(RunEngineTest, SerialRunCountsEveryQueryAndCachesMisses) {
  ASSERT_TRUE(engine_.Start(Params(200, 1), "r1").ok());
  Pump(1);
  const RunStats& s = engine_.stats();
  EXPECT_EQ(finished_calls_, 1);
  EXPECT_EQ(s.state(), RunState::kFinished);
  ExpectCountsAddUp(engine_);
  EXPECT_EQ(s.errors(), 0u);
  // Against what the fakes saw, not what the engine says of itself: one GET
  // per query; a hit for each GET the map answered, a miss for each it did
  // not; one statement and one fill per miss.
  EXPECT_EQ(redis_.Sent("GET"), 200);
  EXPECT_EQ(s.hits(), static_cast<uint64_t>(redis_.gets_found()));
  EXPECT_EQ(s.misses(), static_cast<uint64_t>(redis_.gets_missed()));
  EXPECT_EQ(db_.history().size(), static_cast<size_t>(redis_.gets_missed()));
  EXPECT_EQ(redis_.Sent("PSETEX"), redis_.gets_missed());
  // limit_max = 10: at most 10 distinct statements, each a miss once, and
  // every one of them stored.
  EXPECT_LE(s.misses(), 10u);
  EXPECT_EQ(
      std::set<std::string>(db_.history().begin(), db_.history().end()).size(),
      db_.history().size());
  // Each query timed once, in the histogram of the path it took.
  EXPECT_EQ(s.cache_hit().count(), static_cast<uint64_t>(redis_.gets_found()));
  EXPECT_EQ(s.db().count(), db_.history().size());
  EXPECT_EQ(s.cache_fill().count(),
            static_cast<uint64_t>(redis_.Sent("PSETEX")));
  EXPECT_EQ(s.end_to_end().count(), 200u);
  EXPECT_EQ(engine_.max_in_flight(), 1);
  // Each cached value decodes to exactly the rows the database gave for its
  // SQL.
  for (const std::string& sql : db_.history()) {
    const std::string key = cache::CacheKey("dbcache:", "reviews", sql);
    ASSERT_TRUE(redis_.data().contains(key)) << sql;
    absl::StatusOr<cache::ResultSet> decoded =
        cache::DecodeResultSet(redis_.data()[key]);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, FakeMysqlExecutor::RowsFor(sql));
  }
}

TEST_F(RunEngineTest, ConcurrencyBoundIsReachedAndNeverExceeded) {
  ASSERT_TRUE(engine_.Start(Params(500, 8), "r1").ok());
  EXPECT_EQ(engine_.in_flight(), 8);
  EXPECT_EQ(redis_.pending(), 8u);
  Pump(8);
  EXPECT_EQ(engine_.max_in_flight(), 8);
  EXPECT_EQ(engine_.stats().done(), 500u);
  EXPECT_EQ(finished_state_, RunState::kFinished);
  ExpectCountsAddUp(engine_);
  EXPECT_EQ(redis_.Sent("GET"), 500);
}

TEST_F(RunEngineTest, FewerQueriesThanConcurrency) {
  ASSERT_TRUE(engine_.Start(Params(3, 64), "r1").ok());
  EXPECT_EQ(engine_.in_flight(), 3);
  Pump(64);
  EXPECT_EQ(engine_.stats().done(), 3u);
  ExpectCountsAddUp(engine_);
  EXPECT_EQ(redis_.Sent("GET"), 3);
}

TEST_F(RunEngineTest, CacheOffSendsEverythingToTheDatabaseAndStoresNothing) {
  ASSERT_TRUE(engine_.Start(Params(50, 4, /*cache=*/false), "r1").ok());
  Pump(4);
  EXPECT_EQ(engine_.stats().misses(), 50u);
  EXPECT_EQ(engine_.stats().hits(), 0u);
  EXPECT_EQ(db_.history().size(), 50u);
  EXPECT_TRUE(redis_.history().empty());
  ExpectCountsAddUp(engine_);
}

TEST_F(RunEngineTest, BusyWhileRunning) {
  ASSERT_TRUE(engine_.Start(Params(10, 1), "r1").ok());
  absl::Status second = engine_.Start(Params(10, 1), "r2");
  EXPECT_EQ(second.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.message(), HasSubstr("busy"));
  EXPECT_THAT(second.message(), HasSubstr("r1"));
  EXPECT_EQ(engine_.stats().run_id(), "r1");
  Pump(1);
  ExpectCountsAddUp(engine_);
  EXPECT_TRUE(engine_.Start(Params(10, 1), "r3").ok());
}

TEST_F(RunEngineTest, CancelStopsIssuingAndEndsCancelledAfterDraining) {
  ASSERT_TRUE(engine_.Start(Params(1000, 4), "r1").ok());
  for (int i = 0; i < 10; ++i) redis_.AnswerOne();
  db_.SucceedAll();
  engine_.Cancel();
  EXPECT_TRUE(engine_.running());  // queries still in flight
  const uint64_t issued = engine_.stats().issued();
  Pump(4);
  EXPECT_EQ(engine_.stats().state(), RunState::kCancelled);
  EXPECT_EQ(engine_.stats().issued(), issued);
  EXPECT_LT(issued, 1000u);
  EXPECT_EQ(engine_.stats().done(), issued);
  EXPECT_EQ(finished_calls_, 1);
  ExpectCountsAddUp(engine_);
}

TEST_F(RunEngineTest, CorruptEntryIsAMissCountedAndOverwritten) {
  ASSERT_TRUE(engine_.Start(Params(1, 1), "r1").ok());
  ASSERT_EQ(redis_.pending(), 1u);
  const std::string key = redis_.front().argv[1];
  redis_.StringOne("definitely not a dbcache value");
  ASSERT_EQ(db_.pending(), 1u);
  db_.SucceedAll();
  ASSERT_EQ(redis_.pending(), 1u);
  EXPECT_EQ(redis_.front().argv[0], "PSETEX");
  EXPECT_EQ(redis_.front().argv[1], key);
  redis_.AnswerAll();
  EXPECT_EQ(engine_.stats().corrupt_entries(), 1u);
  EXPECT_EQ(engine_.stats().misses(), 1u);
  EXPECT_EQ(engine_.stats().hits(), 0u);
  EXPECT_TRUE(cache::ValidateResultSet(redis_.data()[key]).ok());
  ExpectCountsAddUp(engine_);
}

TEST_F(RunEngineTest, WrongTypeUnderTheKeyIsAForeignEntryNotAnError) {
  ASSERT_TRUE(engine_.Start(Params(1, 1), "r1").ok());
  redis_.ErrorOne(
      "WRONGTYPE Operation against a key holding the wrong kind of value");
  ASSERT_EQ(db_.pending(), 1u);
  db_.SucceedAll();
  ASSERT_EQ(redis_.pending(), 1u);
  EXPECT_EQ(redis_.front().argv[0], "PSETEX");
  redis_.AnswerAll();
  ExpectCountsAddUp(engine_);
  EXPECT_EQ(engine_.stats().corrupt_entries(), 1u);
  EXPECT_EQ(engine_.stats().misses(), 1u);
  EXPECT_EQ(engine_.stats().errors(), 0u);
}

TEST_F(RunEngineTest, TtlIsPassedToPsetex) {
  RunParams p = Params(1, 1);
  p.ttl_ms = 1234;
  ASSERT_TRUE(engine_.Start(p, "r1").ok());
  redis_.AnswerOne();
  db_.SucceedAll();
  ASSERT_EQ(redis_.pending(), 1u);
  EXPECT_EQ(redis_.front().argv[0], "PSETEX");
  EXPECT_EQ(redis_.front().argv[2], "1234");
  redis_.AnswerAll();
  ExpectCountsAddUp(engine_);
  EXPECT_EQ(engine_.stats().state(), RunState::kFinished);
}

TEST_F(RunEngineTest, TtlJitterSpreadsEachFillsExpiryWithinItsBounds) {
  RunParams p = Params(400, 4);
  p.keys = 400;
  p.dist = *ParseKeyDistribution("sequential");  // every query a new key
  p.ttl_ms = 1000;
  p.ttl_jitter_pct = 20;
  ASSERT_TRUE(engine_.Start(p, "r1").ok());
  Pump(4);
  ExpectCountsAddUp(engine_);
  ASSERT_EQ(engine_.stats().state(), RunState::kFinished);
  std::vector<int64_t> px;
  for (const auto& argv : redis_.history()) {
    if (argv[0] == "PSETEX") px.push_back(std::stoll(argv[2]));
  }
  ASSERT_EQ(px.size(), 400u);
  const auto [low, high] = std::minmax_element(px.begin(), px.end());
  EXPECT_GE(*low, 800);
  EXPECT_LE(*high, 1200);
  // Spread over the range, not bunched: 400 uniform draws leave no gap of
  // 100 ms at either end but with odds of 0.9^400.
  EXPECT_LT(*low, 900);
  EXPECT_GT(*high, 1100);
  const double mean = std::accumulate(px.begin(), px.end(), 0.0) /
                      static_cast<double>(px.size());
  EXPECT_NEAR(mean, 1000, 25);  // sd of the mean: 115 / sqrt(400) = 5.8
}

TEST_F(RunEngineTest, KeysAndDistributionChooseTheStatements) {
  RunParams p = Params(30, 1);
  p.keys = 10;
  p.dist = *ParseKeyDistribution("sequential");
  ASSERT_TRUE(engine_.Start(p, "r1").ok());
  Pump(1);
  ExpectCountsAddUp(engine_);
  // 1..10 three times over: 10 misses, then 20 hits.
  EXPECT_EQ(redis_.gets_missed(), 10);
  EXPECT_EQ(redis_.gets_found(), 20);
  EXPECT_EQ(db_.history().size(), 10u);
  for (size_t i = 0; i < db_.history().size(); ++i) {
    EXPECT_EQ(db_.history()[i],
              "SELECT customer_id, review_id FROM reviews LIMIT " +
                  std::to_string(i + 1));
  }
}

TEST_F(RunEngineTest, ConsecutiveErrorsFailTheRunWithTheReason) {
  ASSERT_TRUE(engine_.Start(Params(1000, 2), "r1").ok());
  int answered = 0;
  while (redis_.pending() > 0 && answered < 100) {
    redis_.FailOne(absl::UnavailableError("redis primary is reconnecting"));
    ++answered;
  }
  EXPECT_EQ(engine_.stats().state(), RunState::kFailed);
  EXPECT_THAT(engine_.stats().reason(), HasSubstr("in a row"));
  EXPECT_THAT(engine_.stats().reason(), HasSubstr("reconnecting"));
  const RunStats& s = engine_.stats();
  ExpectCountsAddUp(engine_);
  EXPECT_EQ(s.errors(ErrorKind::kCacheRead), s.errors());
  EXPECT_LT(s.issued(), 20u);
}

TEST_F(RunEngineTest, DatabaseErrorsAreCountedByKind) {
  ASSERT_TRUE(engine_.Start(Params(3, 1), "r1").ok());
  redis_.AnswerOne();  // miss
  db_.FailOne(absl::UnavailableError("Lost connection to MySQL server"));
  Pump(1);
  const RunStats& s = engine_.stats();
  ExpectCountsAddUp(engine_);
  EXPECT_EQ(s.errors(ErrorKind::kDb), 1u);
  EXPECT_EQ(s.errors(), 1u);
  EXPECT_THAT(s.last_error(), HasSubstr("Lost connection"));
  EXPECT_EQ(s.state(), RunState::kFinished);
}

TEST_F(RunEngineTest, FailedFillIsCountedButTheQueryIsServed) {
  ASSERT_TRUE(engine_.Start(Params(1, 1), "r1").ok());
  redis_.AnswerOne();
  db_.SucceedAll();
  // The query is done, but the run waits for its fill's answer.
  EXPECT_TRUE(engine_.running());
  redis_.ErrorOne("OOM command not allowed");
  EXPECT_EQ(engine_.stats().state(), RunState::kFinished);
  ExpectCountsAddUp(engine_);
  EXPECT_EQ(engine_.stats().misses(), 1u);
  EXPECT_EQ(engine_.stats().errors(), 0u);
  EXPECT_EQ(engine_.stats().fill_errors(), 1u);
  EXPECT_EQ(engine_.stats().cache_fill().count(), 0u);
  EXPECT_THAT(engine_.stats().last_error(), HasSubstr("OOM"));
}

TEST_F(RunEngineTest, TheFinalRecordCountsEveryFill) {
  // Four misses whose fills are answered only after their queries are done:
  // the run ends after the last fill, with all four timed.
  ASSERT_TRUE(engine_.Start(Params(4, 4), "r1").ok());
  for (int i = 0; i < 4; ++i) redis_.AnswerOne();  // four GETs, all misses
  db_.SucceedAll();
  EXPECT_EQ(engine_.in_flight(), 0);
  EXPECT_EQ(redis_.pending(), 4u);  // the PSETEXs
  EXPECT_TRUE(engine_.running());
  EXPECT_EQ(finished_calls_, 0);
  redis_.AnswerAll();
  EXPECT_EQ(finished_calls_, 1);
  EXPECT_EQ(engine_.stats().cache_fill().count(),
            static_cast<uint64_t>(redis_.Sent("PSETEX")));
  ExpectCountsAddUp(engine_);
}

TEST_F(RunEngineTest, AbandonIgnoresLateReplies) {
  ASSERT_TRUE(engine_.Start(Params(100, 4), "r1").ok());
  engine_.Abandon(RunState::kCancelled, "shutting down");
  EXPECT_FALSE(engine_.running());
  EXPECT_EQ(engine_.stats().reason(), "shutting down");
  // The four in flight are counted, as abandoned: the record still adds up.
  ExpectCountsAddUp(engine_);
  EXPECT_EQ(engine_.stats().errors(ErrorKind::kAbandoned), 4u);
  EXPECT_EQ(engine_.stats().errors(), 4u);
  ASSERT_TRUE(engine_.Start(Params(2, 1), "r2").ok());
  // The four GETs of r1 come back now: they must not count for r2.
  for (int i = 0; i < 4; ++i) redis_.AnswerOne();
  EXPECT_EQ(engine_.stats().done(), 0u);
  Pump(1);
  EXPECT_EQ(engine_.stats().done(), 2u);
  EXPECT_EQ(engine_.stats().run_id(), "r2");
  ExpectCountsAddUp(engine_);
}

TEST_F(RunEngineTest, SameSeedSameStatements) {
  ASSERT_TRUE(engine_.Start(Params(30, 1), "a").ok());
  Pump(1);
  ExpectCountsAddUp(engine_);
  std::vector<std::string> first;
  for (const auto& argv : redis_.history()) {
    if (argv[0] == "GET") first.push_back(argv[1]);
  }
  FakeRedisClient other;
  FakeMysqlExecutor other_db;
  RunEngine engine2(clock_, other, other, other_db,
                    EngineConfig{"reviews", "dbcache:", kTemplate, 5});
  ASSERT_TRUE(engine2.Start(Params(30, 1), "b").ok());
  while (other.AnswerOne() || other_db.SucceedOne()) {
  }
  ExpectCountsAddUp(engine2);
  std::vector<std::string> second;
  for (const auto& argv : other.history()) {
    if (argv[0] == "GET") second.push_back(argv[1]);
  }
  EXPECT_EQ(first, second);
  EXPECT_GT(std::set<std::string>(first.begin(), first.end()).size(), 3u);
}

TEST_F(RunEngineTest, LatenciesComeFromTheClock) {
  RunParams p = Params(2, 1);
  p.limit_max = 1;  // the same statement twice: a miss, then a hit
  ASSERT_TRUE(engine_.Start(p, "r1").ok());
  clock_.Advance(absl::Microseconds(300));
  redis_.AnswerOne();  // miss after 300 us
  clock_.Advance(absl::Microseconds(700));
  db_.SucceedOne();    // db took 700 us
  redis_.AnswerOne();  // PSETEX
  EXPECT_NEAR(engine_.stats().db().mean(), 700'000, 1);
  EXPECT_NEAR(engine_.stats().last_miss_us(), 1000, 1);
  clock_.Advance(absl::Microseconds(40));
  redis_.AnswerOne();  // a hit after 40 us
  EXPECT_NEAR(engine_.stats().cache_hit().mean(), 40'000, 1);
  EXPECT_NEAR(engine_.stats().last_hit_us(), 40, 1);
  ExpectCountsAddUp(engine_);
}

}  // namespace
}  // namespace dbcache::run
