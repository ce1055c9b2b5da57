#include "daemon/run/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <tuple>
#include <vector>

#include "absl/numeric/int128.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/support/allocation_counter.h"

namespace dbcache::run {
namespace {

using Bucket = std::tuple<uint64_t, uint64_t, uint64_t>;

std::vector<Bucket> Buckets(const LatencyHistogram& h) {
  std::vector<Bucket> buckets;
  h.ForEachBucket([&](uint64_t lower, uint64_t upper, uint64_t count) {
    buckets.emplace_back(lower, upper, count);
  });
  return buckets;
}

// The percentile by definition: the value at rank ceil(q/100 * n) of the sorted
// data.
double ExactPercentile(const std::vector<uint64_t>& sorted, double q) {
  const double n = static_cast<double>(sorted.size());
  double rank = std::ceil(q * n / 100);
  rank = std::clamp(rank, 1.0, n);
  return static_cast<double>(sorted[static_cast<size_t>(rank) - 1]);
}

void ExpectMatchesExact(std::vector<uint64_t> values) {
  LatencyHistogram h;
  absl::uint128 sum = 0;
  for (uint64_t v : values) {
    h.Record(v);
    sum += v;
  }
  std::sort(values.begin(), values.end());
  ASSERT_EQ(h.count(), values.size());
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.max(), values.back());
  EXPECT_DOUBLE_EQ(
      h.mean(), static_cast<double>(sum) / static_cast<double>(values.size()));
  for (double q : {0.0, 0.1, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0,
                   99.9, 99.99, 100.0}) {
    const double exact = ExactPercentile(values, q);
    EXPECT_NEAR(h.Percentile(q), exact, exact * 0.01) << "q=" << q;
    // The midpoint guarantee is tighter than the 1% promised.
    EXPECT_NEAR(h.Percentile(q), exact, exact / 256 + 0.5) << "q=" << q;
  }
}

TEST(HistogramTest, EmptyReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0);
  for (double q : {0.0, 50.0, 99.9, 100.0}) EXPECT_EQ(h.Percentile(q), 0);
  EXPECT_TRUE(Buckets(h).empty());
  const LatencySummary s = h.Summarize();
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.mean_us, 0);
  EXPECT_EQ(s.p50_us, 0);
  EXPECT_EQ(s.p999_us, 0);
  EXPECT_EQ(s.min_us, 0);
  EXPECT_EQ(s.max_us, 0);
}

TEST(HistogramTest, BucketsTileTheRangeWithBoundedWidth) {
  for (size_t i = 0; i < LatencyHistogram::kBucketCount; ++i) {
    const uint64_t lower = LatencyHistogram::BucketLower(i);
    const uint64_t upper = LatencyHistogram::BucketUpper(i);
    ASSERT_LT(lower, upper) << i;
    if (i + 1 < LatencyHistogram::kBucketCount) {
      ASSERT_EQ(upper, LatencyHistogram::BucketLower(i + 1)) << i;
    }
    ASSERT_EQ(LatencyHistogram::BucketIndex(lower), i);
    ASSERT_EQ(LatencyHistogram::BucketIndex(upper - 1), i);
    // Each bucket is at most 1/128 of its lower bound wide (width 1 below 256).
    ASSERT_TRUE(upper - lower == 1 || (upper - lower) * 128 <= lower) << i;
  }
  EXPECT_EQ(LatencyHistogram::BucketLower(0), 0u);
  EXPECT_EQ(LatencyHistogram::BucketUpper(LatencyHistogram::kBucketCount - 1),
            LatencyHistogram::kMaxTrackableNs + 1);
  EXPECT_GE(LatencyHistogram::kMaxTrackableNs, uint64_t{1} << 44);
}

TEST(HistogramTest, SmallValuesAreExact) {
  std::vector<uint64_t> values;
  for (uint64_t v = 0; v < 256; ++v) values.push_back(v);
  LatencyHistogram h;
  for (uint64_t v : values) h.Record(v);
  for (double q : {1.0, 10.0, 50.0, 90.0, 99.0}) {
    EXPECT_EQ(h.Percentile(q), ExactPercentile(values, q)) << q;
  }
}

TEST(HistogramTest, UniformWithinOnePercent) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<uint64_t> dist(1'000, 10'000'000);
  std::vector<uint64_t> values(200'000);
  for (uint64_t& v : values) v = dist(rng);
  ExpectMatchesExact(values);
}

TEST(HistogramTest, LognormalWithinOnePercent) {
  std::mt19937_64 rng(2);
  std::lognormal_distribution<double> dist(std::log(500'000.0), 1.0);
  std::vector<uint64_t> values(200'000);
  for (uint64_t& v : values) v = static_cast<uint64_t>(dist(rng)) + 1;
  ExpectMatchesExact(values);
}

TEST(HistogramTest, BimodalWithinOnePercent) {
  // Cache hits around 200 us and misses around 20 ms, as a real run looks.
  std::mt19937_64 rng(3);
  std::normal_distribution<double> hit(200'000, 20'000);
  std::normal_distribution<double> miss(20'000'000, 2'000'000);
  std::bernoulli_distribution is_miss(0.1);
  std::vector<uint64_t> values(200'000);
  for (uint64_t& v : values) {
    const double x = is_miss(rng) ? miss(rng) : hit(rng);
    v = static_cast<uint64_t>(std::max(1.0, x));
  }
  ExpectMatchesExact(values);
}

TEST(HistogramTest, WideRangeWithinOnePercent) {
  // Every magnitude from 1 ns to 2^44 ns.
  std::mt19937_64 rng(4);
  std::vector<uint64_t> values(100'000);
  for (uint64_t& v : values) v = rng() >> (rng() % 44 + 20);
  ExpectMatchesExact(values);
}

TEST(HistogramTest, ExtremesAreExact) {
  LatencyHistogram h;
  for (uint64_t v : {1'234'567u, 7'654'321u, 5'000'000u}) h.Record(v);
  EXPECT_EQ(h.Percentile(0), 1'234'567);
  EXPECT_EQ(h.Percentile(100), 7'654'321);
  EXPECT_EQ(h.Percentile(-5), 1'234'567);
  EXPECT_EQ(h.Percentile(150), 7'654'321);
  EXPECT_EQ(h.Percentile(std::nan("")), 1'234'567);
}

TEST(HistogramTest, MergeEqualsRecordingEverything) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> dist(std::log(1'000'000.0), 1.5);
  LatencyHistogram all;
  LatencyHistogram a;
  LatencyHistogram b;
  for (int i = 0; i < 50'000; ++i) {
    const uint64_t v = static_cast<uint64_t>(dist(rng));
    all.Record(v);
    (i % 3 == 0 ? a : b).Record(v);
  }
  LatencyHistogram merged;
  merged.Merge(a);
  merged.Merge(b);
  merged.Merge(LatencyHistogram());  // merging nothing changes nothing
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_DOUBLE_EQ(merged.mean(), all.mean());
  EXPECT_EQ(Buckets(merged), Buckets(all));
  for (double q : {50.0, 90.0, 99.0, 99.9}) {
    EXPECT_EQ(merged.Percentile(q), all.Percentile(q));
  }
}

TEST(HistogramTest, ResetEmptiesAndStaysUsable) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 1000; ++v) h.Record(v * 1000);
  h.Reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0);
  EXPECT_EQ(h.Percentile(50), 0);
  EXPECT_TRUE(Buckets(h).empty());
  h.Record(42);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.min(), 42u);
  EXPECT_EQ(h.max(), 42u);
  EXPECT_EQ(h.Percentile(50), 42);
  EXPECT_EQ(Buckets(h), (std::vector<Bucket>{{42, 43, 1}}));
}

TEST(HistogramTest, HugeValuesClampToTopBucketButMaxIsExact) {
  LatencyHistogram h;
  const uint64_t huge = std::numeric_limits<uint64_t>::max();
  h.Record(100);
  h.Record(uint64_t{1} << 50);
  h.Record(huge);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.max(), huge);
  EXPECT_EQ(h.min(), 100u);
  EXPECT_EQ(h.Percentile(100), static_cast<double>(huge));
  // The sum does not overflow 64 bits.
  const absl::uint128 sum =
      absl::uint128(100) + (uint64_t{1} << 50) + absl::uint128(huge);
  EXPECT_DOUBLE_EQ(h.mean(), static_cast<double>(sum) / 3);
  const std::vector<Bucket> buckets = Buckets(h);
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(
      buckets[1],
      Bucket(LatencyHistogram::BucketLower(LatencyHistogram::kBucketCount - 1),
             LatencyHistogram::kMaxTrackableNs + 1, 2));
}

TEST(HistogramTest, ForEachBucketCoversEveryValue) {
  LatencyHistogram h;
  for (uint64_t v : {5u, 5u, 300u, 1'000'000u}) h.Record(v);
  const std::vector<Bucket> buckets = Buckets(h);
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_EQ(buckets[0], Bucket(5, 6, 2));
  EXPECT_EQ(buckets[1], Bucket(300, 302, 1));
  const auto& [lower, upper, count] = buckets[2];
  EXPECT_LE(lower, 1'000'000u);
  EXPECT_GT(upper, 1'000'000u);
  EXPECT_EQ(count, 1u);
}

TEST(HistogramTest, SummarizeInMicroseconds) {
  LatencyHistogram h;
  for (uint64_t us = 1; us <= 1000; ++us) h.Record(us * 1000);
  const LatencySummary s = h.Summarize();
  EXPECT_EQ(s.count, 1000u);
  EXPECT_DOUBLE_EQ(s.mean_us, 500.5);
  EXPECT_NEAR(s.p50_us, 500, 5);
  EXPECT_NEAR(s.p90_us, 900, 9);
  EXPECT_NEAR(s.p99_us, 990, 9.9);
  EXPECT_NEAR(s.p999_us, 999, 9.99);
  EXPECT_EQ(s.min_us, 1);
  EXPECT_EQ(s.max_us, 1000);
}

TEST(HistogramTest, RecordDoesNotAllocate) {
  LatencyHistogram h;
  std::mt19937_64 rng(6);
  testing::AllocationCounter counter;
  for (int i = 0; i < 100'000; ++i) h.Record(rng());
  EXPECT_EQ(counter.count(), 0);
  EXPECT_EQ(h.count(), 100'000u);
}

}  // namespace
}  // namespace dbcache::run
