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
  // The clock is the latch. Each Get() reads it before it decides that the
  // value is stale; the one that fetches reads it once more under the fetch
  // lock, then blocks in the fetch until released. So nine reads mean that
  // all eight callers have seen no fresh value while the fetch is held open:
  // seven must be waiting on it, and none may fetch again.
  absl::Mutex mu;
  int clock_reads = 0;
  std::atomic<int> fetches = 0;
  absl::Notification release;
  const absl::Time now = absl::FromUnixSeconds(1000);
  SnapshotCache<int> cache(
      absl::Seconds(60),
      [&]() -> absl::StatusOr<int> {
        ++fetches;
        release.WaitForNotification();
        return 7;
      },
      [&] {
        absl::MutexLock lock(&mu);
        ++clock_reads;
        return now;
      });
  std::vector<std::thread> threads;
  std::atomic<int> sum = 0;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] { sum += **cache.Get(); });
  }
  bool all_in = false;
  {
    absl::MutexLock lock(&mu);
    all_in = mu.AwaitWithTimeout(
        absl::Condition(
            +[](int* reads) { return *reads >= 9; }, &clock_reads),
        absl::Seconds(30));
  }
  EXPECT_TRUE(all_in) << "the callers did not all reach Get() in 30 s";
  EXPECT_EQ(fetches.load(), 1);
  release.Notify();
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(fetches.load(), 1);
  EXPECT_EQ(sum.load(), 56);
}

}  // namespace
}  // namespace dbcache::web
