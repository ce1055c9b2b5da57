#include "daemon/run/expiry_counts.h"

#include "gtest/gtest.h"

namespace dbcache::run {
namespace {

TEST(ExpiryCountsTest, AnExpiryCountsTheStatementsRunningForItsKey) {
  ExpiryCounts counts;
  counts.OnMiss("k");
  for (int i = 0; i < 3; ++i) counts.OnMiss("k");  // the stampede joins it
  counts.OnLoadStart("k");
  counts.OnLoadStart("k");
  counts.OnLoadStart("k");
  counts.OnLoadEnd("k");
  counts.OnLoadEnd("k");
  EXPECT_EQ(counts.expiries(), 0u) << "one statement still loads the key";
  counts.OnLoadEnd("k");
  EXPECT_EQ(counts.expiries(), 1u);
  EXPECT_EQ(counts.statements(), 3u);
  EXPECT_EQ(counts.max(), 3u);
  EXPECT_EQ(counts.open(), 0);
}

TEST(ExpiryCountsTest, AKeyFilledElsewhereClosesAtZeroStatements) {
  ExpiryCounts counts;
  counts.OnMiss("k");
  counts.OnHit("k");
  EXPECT_EQ(counts.expiries(), 1u);
  EXPECT_EQ(counts.Percentile(50), 0u);
}

TEST(ExpiryCountsTest, ARefreshOfAPresentKeyIsNoExpiry) {
  ExpiryCounts counts;
  counts.OnLoadStart("k");
  counts.OnLoadEnd("k");
  counts.OnHit("k");
  EXPECT_EQ(counts.expiries(), 0u);
}

TEST(ExpiryCountsTest, Percentiles) {
  ExpiryCounts counts;
  for (int n : {1, 1, 1, 2, 9}) {
    counts.OnMiss("k");
    for (int i = 0; i < n; ++i) counts.OnLoadStart("k");
    for (int i = 0; i < n; ++i) counts.OnLoadEnd("k");
  }
  EXPECT_EQ(counts.expiries(), 5u);
  EXPECT_EQ(counts.Percentile(50), 1u);
  EXPECT_EQ(counts.Percentile(80), 2u);
  EXPECT_EQ(counts.Percentile(100), 9u);
  EXPECT_DOUBLE_EQ(counts.Mean(), 14.0 / 5.0);
  counts.Reset();
  EXPECT_EQ(counts.expiries(), 0u);
  EXPECT_EQ(counts.Percentile(50), 0u);
}

}  // namespace
}  // namespace dbcache::run
