#include "daemon/mysql/pool.h"

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/fakes/fake_pool_connection.h"
#include "tests/unit/fakes/fake_scheduler.h"

namespace dbcache::mysql {
namespace {

using ::testing::ElementsAre;
using testing::FakePoolConnection;
using testing::FakeScheduler;

class PoolTest : public ::testing::Test {
 protected:
  PoolTest()
      : pool_(
            clock_,
            [this] {
              auto c = std::make_unique<FakePoolConnection>(
                  static_cast<int>(connections_.size()) + 1, &log_);
              connections_.push_back(c.get());
              return c;
            },
            /*max_size=*/2) {}

  // Runs `sql` and records its timing; the callback may issue more.
  void Execute(const std::string& sql, std::function<void()> then = nullptr) {
    pool_.Execute(
        sql, [this, sql, then](const absl::Status& status, const QueryResult*,
                               const QueryTiming& timing) {
          done_.push_back(sql + (status.ok() ? "" : " failed"));
          timings_.push_back(timing);
          if (then) then();
        });
    CheckInvariant();
  }

  // No statement waits while a connection is idle: checked after each step.
  void CheckInvariant() {
    if (pool_.queued() > 0) {
      EXPECT_EQ(pool_.idle(), 0)
          << "a statement waits beside an idle connection";
    }
  }

  // Ends connection n's statement, then lets the loop turn once (the pool
  // hands the connection to the queue's head from the loop).
  void Answer(int n, absl::Status status = absl::OkStatus(),
              int64_t connect_ns = 0) {
    connections_[n - 1]->Answer(std::move(status), connect_ns);
    CheckInvariant();
    clock_.Advance(absl::ZeroDuration());
    CheckInvariant();
  }

  FakeScheduler clock_;
  std::vector<FakePoolConnection*> connections_;
  std::vector<std::string> log_;
  std::vector<std::string> done_;
  std::vector<QueryTiming> timings_;
  Pool pool_;
};

TEST_F(PoolTest, AFreedConnectionServesTheOldestWaitingStatementFirst) {
  pool_.SetTargetSize(2);
  // s1's callback issues s5 at once, as the run engine does when a query
  // ends: it must queue behind s3 and s4, not take the connection s1 freed.
  Execute("s1", [this] { Execute("s5"); });
  Execute("s2");
  Execute("s3");
  Execute("s4");
  EXPECT_EQ(pool_.size(), 2);
  EXPECT_EQ(pool_.queued(), 2u);
  Answer(1);  // s1 done: connection 1 takes s3
  Answer(2);  // s2 done: connection 2 takes s4
  Answer(1);  // s3 done: connection 1 takes s5
  Answer(2);
  Answer(1);
  EXPECT_THAT(log_, ElementsAre("1:s1", "2:s2", "1:s3", "2:s4", "1:s5"));
  EXPECT_THAT(done_, ElementsAre("s1", "s2", "s3", "s4", "s5"));
  EXPECT_EQ(pool_.queued(), 0u);
  EXPECT_EQ(pool_.idle(), 2);
}

TEST_F(PoolTest, AStatementIssuedFromACallbackQueuesBehindTheWaitingOnes) {
  pool_.SetTargetSize(1);
  Execute("first", [this] { Execute("from-callback"); });
  Execute("waiting-1");
  Execute("waiting-2");
  Answer(1);  // first: its callback issues from-callback
  Answer(1);
  Answer(1);
  Answer(1);
  EXPECT_THAT(log_, ElementsAre("1:first", "1:waiting-1", "1:waiting-2",
                                "1:from-callback"));
}

TEST_F(PoolTest, SixtyFourStatementsOnSixteenConnectionsRunInOrder) {
  // The scenario of a cache=off run at c=64 with pool 16: every statement is
  // served in the order it was issued, and none waits while a connection is
  // idle, however the answers interleave.
  Pool pool(
      clock_,
      [this] {
        auto c = std::make_unique<FakePoolConnection>(
            static_cast<int>(connections_.size()) + 1, &log_);
        connections_.push_back(c.get());
        return c;
      },
      16);
  pool.SetTargetSize(16);
  int next = 0;
  std::function<void()> issue = [&] {
    const int n = next++;
    pool.Execute(std::to_string(n), [&](const absl::Status&, const QueryResult*,
                                        const QueryTiming&) {
      if (next < 2000) issue();
    });
  };
  for (int i = 0; i < 64; ++i) issue();
  EXPECT_EQ(pool.size(), 16);
  EXPECT_EQ(pool.queued(), 48u);
  std::mt19937 rng(3);
  for (int step = 0; step < 4000 && pool.busy() > 0; ++step) {
    // Answer a random busy connection, then let the loop turn.
    std::vector<FakePoolConnection*> busy;
    for (FakePoolConnection* c : connections_) {
      if (c->busy()) busy.push_back(c);
    }
    busy[rng() % busy.size()]->Answer();
    if (pool.queued() > 0) {
      EXPECT_EQ(pool.idle(), 0);
    }
    clock_.Advance(absl::ZeroDuration());
    if (pool.queued() > 0) {
      EXPECT_EQ(pool.idle(), 0);
    }
  }
  ASSERT_EQ(log_.size(), 2000u);
  // The statements started in exactly the order they were issued.
  for (size_t i = 0; i < log_.size(); ++i) {
    const std::string& entry = log_[i];
    EXPECT_EQ(entry.substr(entry.find(':') + 1), std::to_string(i)) << i;
  }
}

TEST_F(PoolTest, TimingKeepsTheWaitTheReconnectAndTheStatementApart) {
  pool_.SetTargetSize(1);
  Execute("a");
  clock_.Advance(absl::Microseconds(100));
  Execute("b");  // waits for a
  clock_.Advance(absl::Microseconds(400));
  Answer(1);  // a took 500 us on its connection
  clock_.Advance(absl::Microseconds(300));
  // b started when a ended (400 us after it was issued), reconnected for
  // 100 us, and ran for 200 us.
  connections_[0]->Answer(absl::OkStatus(), 100'000);
  ASSERT_EQ(timings_.size(), 2u);
  EXPECT_EQ(timings_[0].wait_ns, 0);
  EXPECT_EQ(timings_[0].exec_ns, 500'000);
  EXPECT_EQ(timings_[1].wait_ns, 400'000);
  EXPECT_TRUE(timings_[1].connected);
  EXPECT_EQ(timings_[1].connect_ns, 100'000);
  EXPECT_EQ(timings_[1].exec_ns, 200'000);
}

TEST_F(PoolTest, RaisingTheTargetStartsWaitingStatementsOnNewConnections) {
  pool_.SetTargetSize(1);
  Execute("a");
  Execute("b");
  Execute("c");
  EXPECT_EQ(pool_.queued(), 2u);
  pool_.SetTargetSize(2);  // room to grow: the queue's head gets a new one
  clock_.Advance(absl::ZeroDuration());
  EXPECT_EQ(pool_.size(), 2);
  EXPECT_THAT(log_, ElementsAre("1:a", "2:b"));
  EXPECT_EQ(pool_.queued(), 1u);
}

TEST_F(PoolTest, AFailedStatementFreesItsConnectionForTheNext) {
  pool_.SetTargetSize(1);
  Execute("a");
  Execute("b");
  Answer(1, absl::UnavailableError("Lost connection"));
  Answer(1);
  EXPECT_THAT(done_, ElementsAre("a failed", "b"));
}

TEST_F(PoolTest, WarmAnswersFromTheLoopEvenWithNothingToOpen) {
  pool_.SetTargetSize(1);
  int warmed = 0;
  pool_.Warm(1, [&] { ++warmed; });
  EXPECT_THAT(log_, ElementsAre("1:SELECT 1"));
  Answer(1);
  EXPECT_EQ(warmed, 1);
  // Connected now: nothing to open, and `done` still comes from the loop.
  pool_.Warm(1, [&] { ++warmed; });
  EXPECT_EQ(warmed, 1);
  clock_.Advance(absl::ZeroDuration());
  EXPECT_EQ(warmed, 2);
}

// The server closes connections that sit idle (wait_timeout): before a run,
// Warm probes the open ones idle for idle_probe_after, and only those.
TEST_F(PoolTest, WarmProbesOpenConnectionsIdleLongEnough) {
  pool_.SetIdleProbeAfter(absl::Seconds(30));
  pool_.SetTargetSize(2);
  pool_.Warm(2, [] {});
  Answer(1);
  Answer(2);
  log_.clear();
  clock_.Advance(absl::Seconds(31));
  connections_[1]->set_idle_since_ns(
      clock_.NowNanos() - absl::ToInt64Nanoseconds(absl::Seconds(10)));
  int warmed = 0;
  pool_.Warm(2, [&] { ++warmed; });
  // Connection 1 has been idle 31 s, connection 2 only 10 s.
  EXPECT_THAT(log_, ElementsAre("1:SELECT 1"));
  EXPECT_EQ(warmed, 0);
  Answer(1);
  EXPECT_EQ(warmed, 1);
  // 0: every open connection is probed before every run.
  pool_.SetIdleProbeAfter(absl::ZeroDuration());
  log_.clear();
  pool_.Warm(2, [&] { ++warmed; });
  EXPECT_THAT(log_, ElementsAre("1:SELECT 1", "2:SELECT 1"));
}

TEST_F(PoolTest, ShrinksOnlyIdleConnections) {
  pool_.SetTargetSize(2);
  Execute("a");
  Execute("b");
  pool_.SetTargetSize(1);
  EXPECT_EQ(pool_.size(), 2);  // both busy
  Answer(2);
  pool_.SetTargetSize(1);
  EXPECT_EQ(pool_.size(), 1);
}

}  // namespace
}  // namespace dbcache::mysql
