#include "web/rate_limiter.h"

#include <optional>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace dbcache::web {
namespace {

class RateLimiterTest : public ::testing::Test {
 protected:
  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
  RateLimiter limiter_{3, absl::Seconds(2), [this] { return now_; }};
};

TEST_F(RateLimiterTest, BurstThenOnePerInterval) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter_.TryAcquire(), std::nullopt);
  EXPECT_EQ(limiter_.TryAcquire(), absl::Seconds(2));
  now_ += absl::Milliseconds(500);
  EXPECT_EQ(limiter_.TryAcquire(), absl::Milliseconds(1500));
  now_ += absl::Milliseconds(1500);
  EXPECT_EQ(limiter_.TryAcquire(), std::nullopt);
  EXPECT_EQ(limiter_.TryAcquire(), absl::Seconds(2));
}

TEST_F(RateLimiterTest, RefusalsDoNotUseTokens) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(limiter_.TryAcquire(), std::nullopt);
  for (int i = 0; i < 100; ++i) ASSERT_NE(limiter_.TryAcquire(), std::nullopt);
  now_ += absl::Seconds(2);
  EXPECT_EQ(limiter_.TryAcquire(), std::nullopt);
}

TEST_F(RateLimiterTest, AnIdleBucketHoldsOnlyTheBurst) {
  now_ += absl::Hours(24);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter_.TryAcquire(), std::nullopt);
  EXPECT_NE(limiter_.TryAcquire(), std::nullopt);
}

TEST_F(RateLimiterTest, ARefilledBucketCountsFromWhenItFilled) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(limiter_.TryAcquire(), std::nullopt);
  now_ += absl::Seconds(5);  // Two tokens back, and half of a third.
  EXPECT_EQ(limiter_.TryAcquire(), std::nullopt);
  EXPECT_EQ(limiter_.TryAcquire(), std::nullopt);
  EXPECT_EQ(limiter_.TryAcquire(), absl::Seconds(1));
}

}  // namespace
}  // namespace dbcache::web
