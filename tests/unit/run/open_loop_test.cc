// The open-loop schedule alone, and an open-loop run through the engine.
#include <random>

#include "daemon/run/load/open_loop_schedule.h"
#include "daemon/run/run_engine.h"
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

TEST(OpenLoopScheduleTest, NoDriftOverAMillionTicks) {
  // 3 per second: every interval is 333,333,333.3 ns. Adding rounded
  // intervals up would be 333 us off after a million; computing each time
  // from its index is exact.
  const OpenLoopSchedule schedule(1'000, 3);
  EXPECT_EQ(schedule.IntendedNs(0), 1'000);
  EXPECT_EQ(schedule.IntendedNs(3), 1'000 + 1'000'000'000);
  EXPECT_EQ(schedule.IntendedNs(1'000'000), 1'000 + 333'333'333'333'333);
  int64_t previous = schedule.IntendedNs(0);
  for (uint64_t i = 1; i <= 1'000'000; ++i) {
    const int64_t t = schedule.IntendedNs(i);
    ASSERT_GE(t - previous, 333'333'333);
    ASSERT_LE(t - previous, 333'333'334);
    previous = t;
  }
}

TEST(OpenLoopScheduleTest, DueByAgreesWithIntendedTimes) {
  std::mt19937_64 rng(5);
  for (uint64_t rate : {1ull, 3ull, 1000ull, 20'000ull, 10'000'000ull}) {
    const OpenLoopSchedule schedule(5'000, rate);
    EXPECT_EQ(schedule.DueBy(4'999), 0u);
    EXPECT_EQ(schedule.DueBy(5'000), 1u);
    for (int i = 0; i < 2000; ++i) {
      const int64_t now = 5'000 + static_cast<int64_t>(rng() % 10'000'000'000);
      const uint64_t due = schedule.DueBy(now);
      ASSERT_GE(due, 1u);
      // Query due-1 is due by now, query due is not.
      ASSERT_LE(schedule.IntendedNs(due - 1), now) << rate << " " << now;
      ASSERT_GT(schedule.IntendedNs(due), now) << rate << " " << now;
    }
  }
}

class OpenLoopRunTest : public ::testing::Test {
 protected:
  RunParams OpenLoop(int64_t queries, int concurrency, int64_t rate) {
    RunParams p;
    p.queries = queries;
    p.concurrency = concurrency;
    p.rate = rate;
    p.seed = 3;
    p.cache = false;  // only MySQL: the test decides when each answers
    return p;
  }

  FakeScheduler clock_;
  FakeRedisClient redis_;
  FakeMysqlExecutor db_{&clock_};
  RunEngine engine_{clock_, redis_, redis_, db_,
                    EngineConfig{"reviews", "p:", "SELECT {}"}};
};

TEST_F(OpenLoopRunTest, QueriesStartOnScheduleWhateverTheRepliesDo) {
  // 1,000/s: one a millisecond, replies that never come until the end.
  ASSERT_TRUE(engine_.Start(OpenLoop(5, 8, 1000), "r").ok());
  EXPECT_EQ(db_.pending(), 1u);
  for (int ms = 1; ms <= 4; ++ms) {
    clock_.Advance(absl::Milliseconds(1));
    EXPECT_EQ(db_.pending(), static_cast<size_t>(ms + 1)) << ms;
  }
  EXPECT_EQ(engine_.stats().late_starts(), 0u);
  db_.SucceedAll();
  EXPECT_EQ(engine_.stats().state(), RunState::kFinished);
  ExpectCountsAddUp(engine_);
  // Issued at exactly 1,000/s.
  EXPECT_DOUBLE_EQ(engine_.stats().IssueRate(), 1000.0);
}

TEST_F(OpenLoopRunTest, BusySlotsMakeLateStartsAndResponseTimeShowsTheWait) {
  // Two slots at 1,000/s with replies taking 5 ms: queries pile up behind
  // the slots, start late, and their response time (from the intended start)
  // includes the wait that their service time does not.
  ASSERT_TRUE(engine_.Start(OpenLoop(10, 2, 1000), "r").ok());
  for (int ms = 1; ms <= 60 && engine_.running(); ++ms) {
    clock_.Advance(absl::Milliseconds(1));
    if (ms % 5 == 0) {
      // Only the statements sent by now: the ones their completions start
      // take their own 5 ms.
      for (size_t n = db_.pending(); n > 0; --n) db_.SucceedOne();
    }
  }
  const RunStats& s = engine_.stats();
  ASSERT_EQ(s.state(), RunState::kFinished);
  ExpectCountsAddUp(engine_);
  EXPECT_GT(s.late_starts(), 0u);
  EXPECT_LE(s.late_starts(), 8u);  // each late query counted once
  EXPECT_GT(s.response().Percentile(99), s.end_to_end().Percentile(99) * 1.5);
  EXPECT_EQ(s.response().count(), 10u);
  EXPECT_LT(s.IssueRate(), 1000.0);
}

TEST(OpenLoopScheduleTest, DueByStaysFinitePastTheOverflowOfI) {
  // At 10,000,000/s, i * 1e9 passes 2^64 after 1,845 s; DueBy must still
  // answer (and be capped by the run's size).
  const OpenLoopSchedule schedule(0, 10'000'000);
  const int64_t now = int64_t{1900} * 1'000'000'000;
  EXPECT_EQ(schedule.DueBy(now, 10'000'000), 10'000'000u);
  const uint64_t due = schedule.DueBy(now);
  EXPECT_EQ(due, uint64_t{19'000'000'000} + 1);
  EXPECT_LE(schedule.IntendedNs(due - 1), now);
  EXPECT_GT(schedule.IntendedNs(due), now);
}

TEST_F(OpenLoopRunTest, LateStartsCountOnlyQueriesThatStarted) {
  // One slot at 1,000/s, a statement that never answers: queries come due
  // behind it, then the run is cancelled. None of them started: none late.
  ASSERT_TRUE(engine_.Start(OpenLoop(100, 1, 1000), "r").ok());
  clock_.Advance(absl::Milliseconds(50));
  engine_.Cancel();
  db_.SucceedAll();
  EXPECT_EQ(engine_.stats().state(), RunState::kCancelled);
  EXPECT_EQ(engine_.stats().late_starts(), 0u);
  ExpectCountsAddUp(engine_);
}

TEST_F(OpenLoopRunTest, CancelStopsTheSchedule) {
  ASSERT_TRUE(engine_.Start(OpenLoop(1000, 4, 1000), "r").ok());
  clock_.Advance(absl::Milliseconds(2));
  engine_.Cancel();
  const size_t pending = db_.pending();
  clock_.Advance(absl::Milliseconds(50));
  EXPECT_EQ(db_.pending(), pending);
  db_.SucceedAll();
  EXPECT_EQ(engine_.stats().state(), RunState::kCancelled);
  ExpectCountsAddUp(engine_);
  EXPECT_EQ(clock_.enabled_timers(), 0);
}

}  // namespace
}  // namespace dbcache::run
