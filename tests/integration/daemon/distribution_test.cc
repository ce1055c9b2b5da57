// Key distributions and TTL jitter on the real stack: what a skewed workload
// does to the hit ratio, checked against the expectation computed here from
// the exact distribution, and the expiries Redis holds under jitter.
#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "tests/integration/daemon/daemon_fixture.h"

namespace dbcache::testing {
namespace {

class DistributionIntegrationTest : public DaemonTest {};

// The expected number of distinct values in `draws` independent draws from
// weights k^-s over 1..keys (s = 0: uniform), and a bound on its standard
// deviation: E = sum_k 1 - (1 - p_k)^draws.
struct Expectation {
  double distinct = 0;
  double sd = 0;
};
Expectation ExpectedDistinct(int draws, int keys, double s) {
  std::vector<double> p(keys);
  double total = 0;
  for (int k = 1; k <= keys; ++k) total += p[k - 1] = std::pow(k, -s);
  Expectation e;
  double variance = 0;
  for (double w : p) {
    const double none = std::pow(1 - w / total, draws);
    e.distinct += 1 - none;
    variance += none * (1 - none);  // the draws' dependence only lowers it
  }
  e.sd = std::sqrt(variance);
  return e;
}

TEST_F(DistributionIntegrationTest, ZipfHitsClearlyMoreThanUniformAtOneTtl) {
  // Reads from the primary, so that a fill and the GETs after it are ordered
  // on one connection: each distinct value then misses exactly once.
  StartDaemon({"--cache_reads=primary"});
  constexpr int kQueries = 300;
  constexpr int kKeys = 300;
  const std::string run =
      "run queries=300 concurrency=4 keys=300 "
      "ttl_ms=600000 seed=11 dist=";
  struct Row {
    std::string dist;
    double s;
    double miss_ratio = 0;
  };
  std::vector<Row> rows = {{"uniform", 0.0}, {"zipf:1.1", 1.1}};
  for (Row& row : rows) {
    SCOPED_TRACE(row.dist);
    FlushCache();
    const nlohmann::json summary = RunToEnd(run + row.dist);
    EXPECT_EQ(summary["params"]["dist"], row.dist);
    EXPECT_EQ(summary["params"]["keys"], kKeys);
    EXPECT_EQ(summary["errors"], 0);
    // One statement per distinct value, and Redis holds each once.
    const int misses = summary["misses"].get<int>();
    EXPECT_EQ(misses, CachedKeys());
    EXPECT_EQ(summary["db_queries"], misses);
    const Expectation e = ExpectedDistinct(kQueries, kKeys, row.s);
    EXPECT_NEAR(misses, e.distinct, 5 * e.sd + 1)
        << "expected " << e.distinct << " distinct values";
    row.miss_ratio = static_cast<double>(misses) / kQueries;
    std::cout << row.dist << ": " << misses << " misses of " << kQueries
              << " (expected " << e.distinct << "), hit ratio "
              << 1 - row.miss_ratio << "\n";
  }
  // 0.37 against 0.68 expected: a skew the cache turns into hits.
  EXPECT_GT(1 - rows[1].miss_ratio, 1 - rows[0].miss_ratio + 0.2);
}

TEST_F(DistributionIntegrationTest, TtlJitterSpreadsTheExpiriesRedisHolds) {
  StartDaemon({"--cache_reads=primary"});
  FlushCache();
  // sequential: each of the 200 queries fills a value of its own.
  const nlohmann::json summary = RunToEnd(
      "run queries=200 concurrency=4 keys=200 dist=sequential "
      "ttl_ms=600000 ttl_jitter_pct=10 seed=2");
  EXPECT_EQ(summary["params"]["ttl_jitter_pct"], 10);
  EXPECT_EQ(summary["misses"], 200);
  absl::StatusOr<redis::ReplyPtr> keys =
      primary_->Command({"KEYS", Key("q:*")});
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ((*keys)->elements, 200u);
  long long low = 1LL << 62, high = 0;
  for (size_t i = 0; i < (*keys)->elements; ++i) {
    absl::StatusOr<redis::ReplyPtr> pttl =
        primary_->Command({"PTTL", (*keys)->element[i]->str});
    ASSERT_TRUE(pttl.ok());
    low = std::min(low, (*pttl)->integer);
    high = std::max(high, (*pttl)->integer);
  }
  // 540 to 660 s, less the seconds the run and these reads took.
  EXPECT_GE(low, 540'000 - 60'000);
  EXPECT_LE(high, 660'000);
  // 200 uniform draws span most of the 120 s range.
  EXPECT_GT(high - low, 90'000);
}

}  // namespace
}  // namespace dbcache::testing
