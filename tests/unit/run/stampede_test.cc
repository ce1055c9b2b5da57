// The stampede strategies through the run engine, with scripted Redis and
// MySQL and a clock driven by hand.
#include <cmath>
#include <random>

#include "daemon/cache/codec.h"
#include "daemon/cache/digest.h"
#include "daemon/run/run_engine.h"
#include "daemon/run/stampede/stampede_policy.h"
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

EngineConfig Config() { return EngineConfig{"reviews", "dbcache:", kTemplate}; }

// One key, `queries` queries all in flight at once.
RunParams OneKey(int64_t queries, Stampede stampede) {
  RunParams p;
  p.queries = queries;
  p.concurrency = static_cast<int32_t>(queries);
  p.limit_max = 1;
  p.seed = 7;
  p.stampede = stampede;
  return p;
}

class StampedeTest : public ::testing::Test {
 protected:
  FakeScheduler clock_;
  FakeRedisClient redis_;
  FakeMysqlExecutor db_{&clock_};
  RunEngine engine_{clock_, redis_, redis_, db_, Config()};
};

TEST_F(StampedeTest, CoalesceSendsOneStatementForConcurrentMissesOfAKey) {
  ASSERT_TRUE(engine_.Start(OneKey(8, Stampede::kCoalesce), "r").ok());
  ASSERT_EQ(redis_.pending(), 8u);
  for (int i = 0; i < 8; ++i) redis_.AnswerOne();  // eight misses
  EXPECT_EQ(db_.pending(), 1u) << "the other seven wait for the first";
  clock_.Advance(absl::Microseconds(300));
  db_.SucceedAll();
  const RunStats& s = engine_.stats();
  EXPECT_EQ(s.misses(), 1u);
  EXPECT_EQ(s.coalesced(), 0u) << "waiters end with the fill, not before";
  clock_.Advance(absl::Microseconds(50));
  redis_.AnswerAll();  // the PSETEX: the seven end as coalesced
  EXPECT_EQ(s.state(), RunState::kFinished);
  EXPECT_EQ(s.coalesced(), 7u);
  EXPECT_EQ(s.db_queries(), 1u);
  EXPECT_EQ(db_.history().size(), 1u);
  EXPECT_EQ(s.coalesced_wait().count(), 7u);
  EXPECT_NEAR(s.coalesced_wait().mean(), 350'000, 1);
  EXPECT_EQ(s.expiries().expiries(), 1u);
  EXPECT_EQ(s.expiries().Percentile(50), 1u);
  ExpectCountsAddUp(engine_);
}

TEST_F(StampedeTest, NoneLetsEveryMissQueryTheDatabase) {
  ASSERT_TRUE(engine_.Start(OneKey(8, Stampede::kNone), "r").ok());
  for (int i = 0; i < 8; ++i) redis_.AnswerOne();
  EXPECT_EQ(db_.pending(), 8u);
  db_.SucceedAll();
  redis_.AnswerAll();
  const RunStats& s = engine_.stats();
  EXPECT_EQ(s.misses(), 8u);
  EXPECT_EQ(s.coalesced(), 0u);
  EXPECT_EQ(s.db_queries(), 8u);
  // One expiry of the key, which cost eight statements: the stampede.
  EXPECT_EQ(s.expiries().expiries(), 1u);
  EXPECT_EQ(s.expiries().max(), 8u);
  ExpectCountsAddUp(engine_);
}

TEST_F(StampedeTest, AFailedStatementFailsItsWaitersOnceEachAndIsOneDbError) {
  ASSERT_TRUE(engine_.Start(OneKey(5, Stampede::kCoalesce), "r").ok());
  for (int i = 0; i < 5; ++i) redis_.AnswerOne();
  ASSERT_EQ(db_.pending(), 1u);
  db_.FailOne(absl::UnavailableError("Lost connection to MySQL server"));
  const RunStats& s = engine_.stats();
  EXPECT_EQ(s.state(), RunState::kFinished);
  EXPECT_EQ(s.errors(), 5u);
  EXPECT_EQ(s.errors(ErrorKind::kDb), 1u);
  EXPECT_EQ(s.errors(ErrorKind::kCoalesced), 4u);
  EXPECT_EQ(s.db_queries(), 1u);
  EXPECT_THAT(s.last_error(), HasSubstr("Lost connection"));
  ExpectCountsAddUp(engine_);
}

TEST_F(StampedeTest, AMissAfterTheFillStartsANewFlight) {
  RunParams p = OneKey(1, Stampede::kCoalesce);
  ASSERT_TRUE(engine_.Start(p, "a").ok());
  redis_.AnswerOne();
  db_.SucceedAll();
  redis_.AnswerAll();
  redis_.data().clear();  // the entry expires
  ASSERT_TRUE(engine_.Start(p, "b").ok());
  redis_.AnswerOne();
  EXPECT_EQ(db_.pending(), 1u);
  db_.SucceedAll();
  redis_.AnswerAll();
  EXPECT_EQ(engine_.stats().misses(), 1u);
  ExpectCountsAddUp(engine_);
}

TEST_F(StampedeTest, LockFillsAKeyOnceBetweenTwoDaemons) {
  // Two engines (two daemons) on one Redis, each with a MySQL of its own.
  FakeMysqlExecutor other_db(&clock_);
  RunEngine other(clock_, redis_, redis_, other_db, Config());
  const RunParams p = OneKey(1, Stampede::kLock);
  ASSERT_TRUE(engine_.Start(p, "a").ok());
  ASSERT_TRUE(other.Start(p, "b").ok());
  // Both miss; both try the lock; the first takes it, looks once more, and
  // loads; the second finds it taken and waits.
  redis_.AnswerAll();
  clock_.Advance(absl::ZeroDuration());
  redis_.AnswerAll();
  EXPECT_EQ(db_.pending(), 1u);
  EXPECT_EQ(other_db.pending(), 0u);
  EXPECT_EQ(other.stats().lock_waits(), 1u);
  // While the holder's statement runs, the waiter GETs again (after 1 ms),
  // still finds nothing, tries the lock again, and waits longer.
  clock_.Advance(absl::Milliseconds(1));
  redis_.AnswerAll();
  EXPECT_EQ(other_db.pending(), 0u);
  db_.SucceedAll();
  redis_.AnswerAll();  // the fill, then the lock's release
  const std::string key =
      cache::CacheKey("dbcache:", "reviews",
                      "SELECT customer_id, review_id FROM reviews LIMIT 1");
  EXPECT_TRUE(redis_.data().contains(key));
  EXPECT_FALSE(redis_.data().contains(key + ":lock")) << "not released";
  EXPECT_EQ(engine_.stats().state(), RunState::kFinished);
  EXPECT_EQ(engine_.stats().misses(), 1u);
  // The waiter's next GET finds the holder's value.
  clock_.Advance(absl::Milliseconds(2));
  redis_.AnswerAll();
  EXPECT_EQ(other.stats().state(), RunState::kFinished);
  EXPECT_EQ(other.stats().coalesced(), 1u);
  EXPECT_EQ(other.stats().hits(), 0u);
  EXPECT_EQ(other_db.history().size(), 0u);
  EXPECT_EQ(db_.history().size(), 1u);
  ExpectCountsAddUp(engine_);
  ExpectCountsAddUp(other);
}

TEST_F(StampedeTest, ALockHolderThatFindsTheKeyFilledLoadsNothing) {
  // The race the second look is for: our GET missed, then another daemon
  // filled the key and released its lock, then we took the lock.
  const std::string key =
      cache::CacheKey("dbcache:", "reviews",
                      "SELECT customer_id, review_id FROM reviews LIMIT 1");
  ASSERT_TRUE(engine_.Start(OneKey(1, Stampede::kLock), "r").ok());
  redis_.AnswerOne();  // GET: missing
  redis_.data()[key] =
      cache::EncodeResultSet(FakeMysqlExecutor::RowsFor("filled elsewhere"));
  redis_.AnswerOne();  // SET NX: ours
  clock_.Advance(absl::ZeroDuration());
  redis_.AnswerAll();  // the second look finds it; the lock is released
  EXPECT_EQ(db_.pending(), 0u);
  EXPECT_EQ(engine_.stats().coalesced(), 1u);
  EXPECT_FALSE(redis_.data().contains(key + ":lock"));
  ExpectCountsAddUp(engine_);
}

TEST_F(StampedeTest, ALockWaiterLoadsItselfOnceTheLockHasLivedItsLifetime) {
  RunParams p = OneKey(1, Stampede::kLock);
  p.lock_ms = 10;
  // Someone else holds the lock and never fills the key.
  const std::string key =
      cache::CacheKey("dbcache:", "reviews",
                      "SELECT customer_id, review_id FROM reviews LIMIT 1");
  redis_.data()[key + ":lock"] = "another-host:1";
  ASSERT_TRUE(engine_.Start(p, "r").ok());
  for (int step = 0; step < 50 && db_.pending() == 0; ++step) {
    redis_.AnswerAll();
    clock_.Advance(absl::Milliseconds(1));
  }
  ASSERT_EQ(db_.pending(), 1u) << "the waiter never gave up waiting";
  db_.SucceedAll();
  redis_.AnswerAll();
  EXPECT_EQ(engine_.stats().misses(), 1u);
  EXPECT_EQ(engine_.stats().lock_waits(), 1u);
  ExpectCountsAddUp(engine_);
}

TEST(XFetchTest, TheDecisionFollowsTheFormula) {
  // At or past expiry: always. Far from it: never.
  EXPECT_TRUE(XFetchShouldRecompute(1000, 10, 1.0, 1000, 0.5));
  EXPECT_TRUE(XFetchShouldRecompute(1001, 10, 1.0, 1000, 1.0));
  EXPECT_FALSE(XFetchShouldRecompute(0, 10, 1.0, 1'000'000, 1e-300));
  // beta 0 never recomputes early.
  EXPECT_FALSE(XFetchShouldRecompute(999, 1000, 0.0, 1000, 1e-9));
  // delta 100 ms, 100 ms before expiry, beta 1: recompute when -ln(u) >= 1,
  // that is with probability 1/e. A seeded generator gives the same draws on
  // every run; 100,000 of them are within 1% of it.
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  int yes = 0;
  constexpr int kDraws = 100'000;
  for (int i = 0; i < kDraws; ++i) {
    const double u = 1.0 - uniform(rng);  // (0, 1]
    yes += XFetchShouldRecompute(900, 100, 1.0, 1000, u);
  }
  EXPECT_NEAR(static_cast<double>(yes) / kDraws, std::exp(-1.0), 0.01);
  // beta 2 doubles the reach: the same point recomputes with prob. e^-0.5.
  yes = 0;
  for (int i = 0; i < kDraws; ++i) {
    yes += XFetchShouldRecompute(900, 100, 2.0, 1000, 1.0 - uniform(rng));
  }
  EXPECT_NEAR(static_cast<double>(yes) / kDraws, std::exp(-0.5), 0.01);
}

TEST_F(StampedeTest, XFetchStoresItsDeltaAndRecomputesNearExpiry) {
  RunParams p;
  p.queries = 2;
  p.concurrency = 1;
  p.limit_max = 1;
  p.seed = 7;
  p.ttl_ms = 1000;
  p.stampede = Stampede::kXFetch;
  ASSERT_TRUE(engine_.Start(p, "r").ok());
  redis_.AnswerOne();  // miss
  clock_.Advance(absl::Milliseconds(100));
  db_.SucceedOne();  // the statement took 100 ms: the delta
  // The stored entry carries it, with its expiry.
  ASSERT_EQ(redis_.front().argv[0], "PSETEX");
  absl::StatusOr<cache::ResultSetShape> shape =
      cache::ValidateResultSet(redis_.front().argv[3]);
  ASSERT_TRUE(shape.ok() && shape->meta.has_value());
  EXPECT_EQ(shape->meta->delta_us, 100'000u);
  EXPECT_EQ(shape->meta->ttl_ms, 1000u);
  EXPECT_EQ(redis_.front().argv[2], "1000");
  redis_.AnswerOne();  // the fill
  // The second query's GET answers at the entry's expiry: the hit is served,
  // and the key is recomputed in the background.
  clock_.Advance(absl::Milliseconds(1000));
  redis_.AnswerOne();
  const RunStats& s = engine_.stats();
  EXPECT_EQ(s.hits(), 1u);
  EXPECT_EQ(s.early_refreshes(), 1u);
  EXPECT_EQ(db_.pending(), 1u);
  EXPECT_TRUE(engine_.running()) << "the run waits for its refresh";
  db_.SucceedAll();
  redis_.AnswerAll();
  EXPECT_EQ(s.state(), RunState::kFinished);
  EXPECT_EQ(s.db_queries(), 2u);
  EXPECT_EQ(s.misses(), 1u);
  ExpectCountsAddUp(engine_);
}

TEST_F(StampedeTest, SwrServesAStaleEntryOnceAndRefreshesItInTheBackground) {
  RunParams p;
  p.queries = 4;
  p.concurrency = 1;
  p.limit_max = 1;
  p.seed = 7;
  p.ttl_ms = 1000;
  p.stale_ms = 500;
  p.stampede = Stampede::kSwr;
  ASSERT_TRUE(engine_.Start(p, "r").ok());
  redis_.AnswerOne();  // miss
  db_.SucceedOne();
  // Kept in Redis for ttl + stale, fresh for ttl.
  ASSERT_EQ(redis_.front().argv[0], "PSETEX");
  EXPECT_EQ(redis_.front().argv[2], "1500");
  redis_.AnswerOne();
  clock_.Advance(absl::Milliseconds(999));
  redis_.AnswerOne();  // fresh hit
  const RunStats& s = engine_.stats();
  EXPECT_EQ(s.stale_served(), 0u);
  clock_.Advance(absl::Milliseconds(2));
  redis_.AnswerOne();  // past the soft expiry: served stale, refresh starts
  EXPECT_EQ(s.stale_served(), 1u);
  EXPECT_EQ(s.refreshes(), 1u);
  EXPECT_EQ(db_.pending(), 1u);
  redis_.AnswerOne();  // still stale; the refresh is under way: no second one
  EXPECT_EQ(s.stale_served(), 2u);
  EXPECT_EQ(s.refreshes(), 1u);
  EXPECT_EQ(s.hits(), 3u);
  db_.SucceedAll();
  redis_.AnswerAll();
  EXPECT_EQ(s.state(), RunState::kFinished);
  EXPECT_EQ(s.misses(), 1u);
  EXPECT_EQ(s.db_queries(), 2u);
  ExpectCountsAddUp(engine_);
}

}  // namespace
}  // namespace dbcache::run
