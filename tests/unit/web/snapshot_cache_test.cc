#include "web/snapshot_cache.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace dbcache::web {
namespace {

class SnapshotCacheTest : public ::testing::Test {
 protected:
  absl::Time now_ = absl::FromUnixSeconds(1000);
  int fetches_ = 0;
  SnapshotCache<int> cache_{
      absl::Milliseconds(50),
      [this]() -> absl::StatusOr<int> { return ++fetches_; },
      [this] { return now_; }};
};

TEST_F(SnapshotCacheTest, ServesTheSameValueWithinMaxAge) {
  EXPECT_EQ(**cache_.Get(), 1);
  now_ += absl::Milliseconds(49);
  EXPECT_EQ(**cache_.Get(), 1);
  EXPECT_EQ(fetches_, 1);
}

TEST_F(SnapshotCacheTest, FetchesAgainOnceStale) {
  EXPECT_EQ(**cache_.Get(), 1);
  now_ += absl::Milliseconds(50);
  EXPECT_EQ(**cache_.Get(), 2);
  EXPECT_EQ(fetches_, 2);
}

TEST_F(SnapshotCacheTest, InvalidateForcesAFetch) {
  EXPECT_EQ(**cache_.Get(), 1);
  cache_.Invalidate();
  EXPECT_EQ(**cache_.Get(), 2);
}

TEST(SnapshotCacheErrorTest, ErrorsAreCachedToo) {
  absl::Time now = absl::FromUnixSeconds(1000);
  int fetches = 0;
  SnapshotCache<int> cache(
      absl::Milliseconds(50),
      [&]() -> absl::StatusOr<int> {
        ++fetches;
        return absl::UnavailableError("down");
      },
      [&] { return now; });
  EXPECT_EQ(cache.Get()->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(cache.Get()->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(fetches, 1);
  now += absl::Seconds(1);
  cache.Get();
  EXPECT_EQ(fetches, 2);
}

TEST(SnapshotCacheConcurrencyTest, ConcurrentCallersShareOneFetch) {
  std::atomic<int> fetches = 0;
  absl::Notification fetch_started;
  absl::Notification release;
  SnapshotCache<int> cache(absl::Seconds(60), [&]() -> absl::StatusOr<int> {
    ++fetches;
    fetch_started.Notify();
    release.WaitForNotification();
    return 7;
  });
  std::vector<std::thread> threads;
  std::atomic<int> sum = 0;
  threads.emplace_back([&] { sum += **cache.Get(); });
  fetch_started.WaitForNotification();
  // These all find the value stale while the first fetch is under way.
  for (int i = 0; i < 7; ++i)
    threads.emplace_back([&] { sum += **cache.Get(); });
  absl::SleepFor(absl::Milliseconds(20));
  release.Notify();
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(fetches.load(), 1);
  EXPECT_EQ(sum.load(), 56);
}

}  // namespace
}  // namespace dbcache::web
