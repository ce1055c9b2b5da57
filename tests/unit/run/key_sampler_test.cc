// The key distributions: zipf against its exact pmf, hotspot's split,
// sequential's cycle, uniform's compatibility with the demo's old draws, and
// the TTL jitter's bounds.
#include "daemon/run/load/key_sampler.h"

#include <cmath>
#include <random>
#include <vector>

#include "daemon/run/load/key_distribution.h"
#include "daemon/run/load/ttl_jitter.h"
#include "daemon/run/load/zipf_sampler.h"
#include "gtest/gtest.h"

namespace dbcache::run {
namespace {

// P(k) = k^-s / sum_j j^-s, summed directly: independent of the sampler's
// integrals.
std::vector<double> ZipfPmf(int64_t n, double s) {
  std::vector<double> pmf(static_cast<size_t>(n) + 1, 0.0);
  double total = 0;
  for (int64_t k = 1; k <= n; ++k) {
    pmf[k] = std::pow(static_cast<double>(k), -s);
    total += pmf[k];
  }
  for (double& p : pmf) p /= total;
  return pmf;
}

// Pearson's chi-square of observed rank counts against a pmf, over bins of
// consecutive ranks each expected at least 50 times; *bins gets their number.
double ChiSquare(const std::vector<int64_t>& counts,
                 const std::vector<double>& pmf, int64_t draws, int* bins) {
  double statistic = 0;
  double expected = 0;
  double observed = 0;
  *bins = 0;
  for (size_t k = 1; k < pmf.size(); ++k) {
    expected += pmf[k] * static_cast<double>(draws);
    observed += static_cast<double>(counts[k]);
    if (expected >= 50 || k + 1 == pmf.size()) {
      statistic += (observed - expected) * (observed - expected) / expected;
      ++*bins;
      expected = observed = 0;
    }
  }
  return statistic;
}

TEST(ZipfSamplerTest, MatchesTheExactDistribution) {
  constexpr int64_t kKeys = 1000;
  constexpr int64_t kDraws = 400'000;
  for (double s : {0.2, 0.5, 0.99, 1.0, 1.1, 2.0, 5.0}) {
    SCOPED_TRACE(s);
    const ZipfSampler zipf(kKeys, s);
    std::mt19937_64 rng(42);
    std::vector<int64_t> counts(kKeys + 1, 0);
    for (int64_t i = 0; i < kDraws; ++i) {
      const int64_t k = zipf.Next(rng);
      ASSERT_GE(k, 1);
      ASSERT_LE(k, kKeys);
      ++counts[k];
    }
    const std::vector<double> pmf = ZipfPmf(kKeys, s);
    // The top ranks one by one, within 5 standard deviations.
    for (int64_t k = 1; k <= 10; ++k) {
      const double p = pmf[k];
      const double sd = std::sqrt(p * (1 - p) / kDraws);
      EXPECT_NEAR(static_cast<double>(counts[k]) / kDraws, p, 5 * sd + 1e-9)
          << "rank " << k;
    }
    // The whole shape: chi-square within df + 6 sqrt(2 df) (far in the
    // tail for a right sampler) ...
    int bins = 0;
    const double fit = ChiSquare(counts, pmf, kDraws, &bins);
    const double df = bins - 1;
    EXPECT_LT(fit, df + 6 * std::sqrt(2 * df)) << bins << " bins";
    // ... and a sampler off by 0.05 in s would fail that bound: the test can
    // tell (past s = 2 nearly every draw is rank 1, and 0.05 moves too
    // little mass for 400,000 draws to see).
    if (s > 2) continue;
    int other_bins = 0;
    const double misfit =
        ChiSquare(counts, ZipfPmf(kKeys, s + 0.05), kDraws, &other_bins);
    const double other_df = other_bins - 1;
    EXPECT_GT(misfit, other_df + 6 * std::sqrt(2 * other_df));
  }
}

TEST(ZipfSamplerTest, OneKeyAndAMillionKeys) {
  std::mt19937_64 rng(1);
  const ZipfSampler one(1, 0.99);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(one.Next(rng), 1);
  const ZipfSampler million(1'000'000, 0.99);
  int64_t deep = 0;
  for (int i = 0; i < 100'000; ++i) {
    const int64_t k = million.Next(rng);
    ASSERT_GE(k, 1);
    ASSERT_LE(k, 1'000'000);
    deep += k > 100'000;
  }
  // P(k > 100,000) = (H(1e6) - H(1e5)) / H(1e6) for s = 0.99, about 0.16.
  const std::vector<double> pmf = ZipfPmf(1'000'000, 0.99);
  double tail = 0;
  for (size_t k = 100'001; k < pmf.size(); ++k) tail += pmf[k];
  const double sd = std::sqrt(tail * (1 - tail) / 100'000);
  EXPECT_NEAR(static_cast<double>(deep) / 100'000, tail, 5 * sd);
}

TEST(ZipfSamplerTest, SteepExponentOverAMillionKeysStaysInRange) {
  // At s = 5 the inverse's argument rounds to -1 near the tail's end.
  const ZipfSampler zipf(1'000'000, 5.0);
  std::mt19937_64 rng(8);
  int ones = 0;
  for (int i = 0; i < 100'000; ++i) {
    const int64_t k = zipf.Next(rng);
    ASSERT_GE(k, 1);
    ASSERT_LE(k, 1'000'000);
    ones += k == 1;
  }
  // P(1) = 1 / zeta(5) = 0.96439 (to 5 places; the tail past 1e6 is nil).
  EXPECT_NEAR(ones / 100'000.0, 0.96439, 5 * std::sqrt(0.964 * 0.036 / 1e5));
}

TEST(KeySamplerTest, UniformDrawsWhatTheDemoDrewBefore) {
  // Old seeds repeat old runs: the stream is the standard uniform draw on a
  // mt19937_64 seeded with the run's seed, as Workload made it before
  // distributions existed.
  KeySampler keys(KeyDistribution(), 75, 12345);
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<int64_t> old(1, 75);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(keys.Next(), old(rng));
}

TEST(KeySamplerTest, SameSeedSameStreamForEveryDistribution) {
  for (const char* form : {"uniform", "zipf:1.1", "hotspot:90:10"}) {
    SCOPED_TRACE(form);
    const KeyDistribution d = *ParseKeyDistribution(form);
    KeySampler a(d, 500, 9), b(d, 500, 9), c(d, 500, 10);
    int differ = 0;
    for (int i = 0; i < 200; ++i) {
      const int64_t x = a.Next();
      ASSERT_EQ(x, b.Next());
      differ += x != c.Next();
    }
    EXPECT_GT(differ, 100);
  }
}

TEST(KeySamplerTest, HotspotSendsItsShareToTheHotKeys) {
  KeySampler keys(*ParseKeyDistribution("hotspot:90:10"), 1000, 3);
  ASSERT_EQ(keys.HotKeys(), 100);
  constexpr int kDraws = 100'000;
  int hot = 0;
  std::vector<int> seen(1001, 0);
  for (int i = 0; i < kDraws; ++i) {
    const int64_t k = keys.Next();
    ASSERT_GE(k, 1);
    ASSERT_LE(k, 1000);
    hot += k <= 100;
    ++seen[k];
  }
  const double sd = std::sqrt(0.9 * 0.1 / kDraws);
  EXPECT_NEAR(static_cast<double>(hot) / kDraws, 0.9, 5 * sd);
  // Within each set, uniform: every key drawn, the hot ones about 900 times
  // and the cold ones about 11.
  for (int k = 1; k <= 1000; ++k) EXPECT_GT(seen[k], 0) << k;
  EXPECT_NEAR(seen[1], 900, 5 * std::sqrt(900.0));
  // The hot set is at least one key, and all keys when Q is 100.
  EXPECT_EQ(
      KeySampler(*ParseKeyDistribution("hotspot:50:0.001"), 10, 1).HotKeys(),
      1);
  KeySampler all(*ParseKeyDistribution("hotspot:10:100"), 5, 1);
  for (int i = 0; i < 100; ++i) {
    const int64_t k = all.Next();
    ASSERT_GE(k, 1);
    ASSERT_LE(k, 5);
  }
}

TEST(KeySamplerTest, SequentialCyclesThroughEveryKey) {
  KeySampler keys(*ParseKeyDistribution("sequential"), 4, 99);
  std::vector<int64_t> drawn;
  for (int i = 0; i < 10; ++i) drawn.push_back(keys.Next());
  EXPECT_EQ(drawn, (std::vector<int64_t>{1, 2, 3, 4, 1, 2, 3, 4, 1, 2}));
}

TEST(TtlJitterTest, SpreadsAroundTheTtlAndNeverBelowOneMs) {
  EXPECT_EQ(JitteredMs(1000, 20, 0.0), 800u);
  EXPECT_EQ(JitteredMs(1000, 20, 0.5), 1000u);
  EXPECT_EQ(JitteredMs(1000, 20, 0.75), 1100u);
  EXPECT_LE(JitteredMs(1000, 20, 0.999999), 1200u);
  EXPECT_EQ(JitteredMs(1000, 0, 0.1), 1000u);
  EXPECT_EQ(JitteredMs(1000, 100, 0.0), 1u);
  EXPECT_EQ(JitteredMs(1, 100, 0.2), 1u);
}

}  // namespace
}  // namespace dbcache::run
