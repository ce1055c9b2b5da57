#include <signal.h>

#include <memory>
#include <vector>

#include "daemon/loop/backoff.h"
#include "daemon/loop/event_loop.h"
#include "daemon/loop/libevent_scheduler.h"
#include "daemon/loop/signal_watcher.h"
#include "gtest/gtest.h"
#include "tests/unit/fakes/fake_scheduler.h"

namespace dbcache::loop {
namespace {

TEST(BackoffTest, GrowsDoublingWithJitterAndCaps) {
  Backoff backoff(absl::Milliseconds(100), absl::Seconds(2), 42);
  const std::vector<double> bases_ms = {100, 200, 400, 800, 1600, 2000, 2000};
  for (double base : bases_ms) {
    const double ms = absl::ToDoubleMilliseconds(backoff.Next());
    EXPECT_GE(ms, base / 2);
    EXPECT_LE(ms, base);
  }
  backoff.Reset();
  EXPECT_LE(absl::ToDoubleMilliseconds(backoff.Next()), 100);
}

TEST(BackoffTest, JitterDiffersBetweenSeeds) {
  Backoff a(absl::Milliseconds(100), absl::Seconds(5), 1);
  Backoff b(absl::Milliseconds(100), absl::Seconds(5), 2);
  int same = 0;
  for (int i = 0; i < 5; ++i) same += a.Next() == b.Next();
  EXPECT_LT(same, 5);
}

TEST(EventLoopTest, PostRunsLaterInOrderAndCanDeleteTheCaller) {
  EventLoop loop;
  std::vector<int> order;
  auto victim = std::make_unique<int>(7);
  loop.Post([&] {
    order.push_back(1);
    loop.DeferDelete(std::move(victim));
    loop.Post([&] {
      order.push_back(3);
      loop.Exit();
    });
  });
  loop.Post([&] { order.push_back(2); });
  EXPECT_TRUE(order.empty());  // nothing runs inside Post()
  loop.Run();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(victim, nullptr);
}

// The loop is its owner's first member, destroyed last: work still posted then
// would act on members already gone, so it is destroyed unrun, and so is what
// destroying it posts.
TEST(EventLoopTest, DestructionDropsPostedWorkUnrunAndDestroysWhatItOwns) {
  bool ran = false;
  int destroyed = 0;
  {
    EventLoop loop;
    // Its destructor posts once more, as a connection's might.
    auto owned = std::shared_ptr<int>(new int(1), [&](int* p) {
      ++destroyed;
      delete p;
      loop.Post([&] { ran = true; });
    });
    loop.Post([&ran, owned] { ran = true; });
    owned.reset();
    EXPECT_EQ(destroyed, 0);  // the posted closure still owns it
  }
  EXPECT_FALSE(ran);
  EXPECT_EQ(destroyed, 1);
}

TEST(EventLoopTest, DiscardPostedLeavesTheLoopUsable) {
  EventLoop loop;
  std::vector<int> order;
  loop.Post([&] { order.push_back(1); });
  loop.DiscardPosted();
  loop.Post([&] {
    order.push_back(2);
    loop.Exit();
  });
  loop.Run();
  EXPECT_EQ(order, (std::vector<int>{2}));
}

TEST(EventLoopTest, RealTimerFiresAndSignalArrivesAsAnEvent) {
  EventLoop loop;
  LibeventScheduler scheduler(loop);
  bool timer_fired = false;
  int signals = 0;
  SignalWatcher watcher(loop, SIGUSR1, [&] {
    ++signals;
    loop.Exit();
  });
  auto timer = scheduler.CreateTimer([&] {
    timer_fired = true;
    raise(SIGUSR1);
  });
  const int64_t start = scheduler.NowNanos();
  timer->Enable(absl::Milliseconds(5));
  EXPECT_TRUE(timer->enabled());
  loop.Run();
  EXPECT_TRUE(timer_fired);
  EXPECT_EQ(signals, 1);
  EXPECT_GE(scheduler.NowNanos() - start, 5'000'000);
}

TEST(FakeSchedulerTest, FiresDueTimersInDeadlineOrder) {
  testing::FakeScheduler clock;
  std::vector<int> fired;
  auto late = clock.CreateTimer([&] { fired.push_back(2); });
  auto early = clock.CreateTimer([&] { fired.push_back(1); });
  late->Enable(absl::Milliseconds(20));
  early->Enable(absl::Milliseconds(10));
  clock.Advance(absl::Milliseconds(5));
  EXPECT_TRUE(fired.empty());
  clock.Advance(absl::Milliseconds(15));
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
  EXPECT_EQ(clock.enabled_timers(), 0);
}

}  // namespace
}  // namespace dbcache::loop
