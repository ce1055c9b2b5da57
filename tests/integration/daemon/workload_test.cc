// Named workloads on the real stack: the shipped workload file's statements
// against the seeded table, what skew and an expensive statement do, the
// cached rows against MariaDB's, and the errors a bad workload gives.
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "daemon/cache/codec.h"
#include "daemon/cache/digest.h"
#include "gmock/gmock.h"
#include "tests/integration/daemon/daemon_fixture.h"
#include "tests/integration/support/run_counts.h"

namespace dbcache::testing {
namespace {

using ::testing::HasSubstr;

const std::string kWorkloadsFlag =
    std::string("--workloads=") + DBCACHE_SHIPPED_WORKLOADS;

class WorkloadIntegrationTest : public DaemonTest {
 protected:
  int64_t Distinct(const std::string& column) {
    const cache::ResultSet rows = QueryMariaDb(
        stack_, "SELECT COUNT(DISTINCT " + column + ") FROM reviews");
    int64_t n = 0;
    EXPECT_TRUE(absl::SimpleAtoi(rows.rows.at(0).at(0).value_or(""), &n));
    return n;
  }

  double Mean(const nlohmann::json& summary, const std::string& source) {
    return summary["latency_us"][source]["mean"].get<double>();
  }

  // A workload file of the test's own, in the test's temporary folder.
  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = ::testing::TempDir() + "/" + prefix_ + name;
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(WorkloadIntegrationTest, ByCustomerZipfHitsClearlyMoreThanUniform) {
  // Reads from the primary: a fill and the GETs after it are ordered on one
  // connection, so each distinct customer misses exactly once.
  StartDaemon({kWorkloadsFlag, "--cache_reads=primary"});
  const int64_t customers = Distinct("customer_id");
  ASSERT_GT(customers, 1000);
  const std::string run =
      "run workload=by_customer queries=600 concurrency=4 ttl_ms=600000 "
      "seed=5 dist=";
  std::vector<double> hit_ratio;
  for (const std::string dist : {"uniform", "zipf:1.1"}) {
    SCOPED_TRACE(dist);
    FlushCache();
    const nlohmann::json summary = RunToEnd(run + dist);
    EXPECT_EQ(summary["state"], "finished");
    EXPECT_EQ(summary["params"]["workload"], "by_customer");
    EXPECT_EQ(summary["params"]["dist"], dist);
    // Every customer of the table is a key the run can ask for.
    EXPECT_EQ(summary["params"]["keys"], customers);
    EXPECT_EQ(summary["errors"], 0);
    const int misses = summary["misses"].get<int>();
    EXPECT_EQ(summary["db_queries"], misses);
    EXPECT_EQ(misses, CachedKeys());
    hit_ratio.push_back(summary["hit_ratio"].get<double>());
    std::printf("by_customer %s: hit ratio %.3f over %lld customers\n",
                dist.c_str(), hit_ratio.back(),
                static_cast<long long>(customers));
  }
  // 600 draws over ~19,000 customers: uniform repeats almost none; zipf:1.1
  // sends a third of them to its ten hottest.
  EXPECT_LT(hit_ratio[0], 0.1);
  EXPECT_GT(hit_ratio[1], hit_ratio[0] + 0.3);
}

TEST_F(WorkloadIntegrationTest,
       CategoryStatsHitsAreFasterAndTheSpeedupTheirRatio) {
  StartDaemon({kWorkloadsFlag, "--cache_reads=primary"});
  FlushCache();
  const int64_t categories = Distinct("product_category");
  const nlohmann::json summary = RunToEnd(
      "run workload=category_stats queries=400 concurrency=1 ttl_ms=600000 "
      "seed=2");
  EXPECT_EQ(summary["params"]["keys"], categories);
  EXPECT_EQ(summary["errors"], 0);
  // Each category is one statement, filled once.
  EXPECT_LE(summary["misses"].get<int64_t>(), categories);
  EXPECT_EQ(summary["misses"].get<int>(), CachedKeys());
  const double db = Mean(summary, "db");
  const double hit = Mean(summary, "cache_hit");
  std::printf("category_stats: DB mean %.0f us, hit mean %.0f us: %.1fx\n", db,
              hit, db / hit);
  // How much faster is a benchmark figure (scripts/bench.sh R10, target 20x:
  // 17x to 19x under a loaded CI); the product owes a hit that is faster at
  // all and a speed-up that is the ratio of its own means.
  EXPECT_GT(db / hit, 1.0);
  EXPECT_NEAR(summary["speedup"].get<double>(), db / hit, 0.05 * db / hit);
}

// Every statement of every shipped workload, rendered with sampled values:
// what is cached is exactly what MariaDB returns for the logged SQL.
TEST_F(WorkloadIntegrationTest,
       CachedRowsAreWhatMariaDbReturnsForEveryWorkload) {
  StartDaemon({kWorkloadsFlag, "--cache_reads=primary"});
  for (const std::string workload :
       {"by_customer", "product_page", "category_stats", "mixed"}) {
    SCOPED_TRACE(workload);
    FlushCache();
    // mixed writes: one query at a time, each write deleting what it
    // affects, so that nothing cached can be stale.
    const bool writes = std::string(workload) == "mixed";
    const nlohmann::json summary = RunToEnd(
        std::string("run queries=25 ttl_ms=600000 seed=9 invalidate=delete ") +
        (writes ? "concurrency=1" : "concurrency=2") + " workload=" + workload);
    EXPECT_EQ(summary["errors"], 0);
    absl::StatusOr<redis::ReplyPtr> log =
        primary_->Command({"LRANGE", Key("log"), "0", "-1"});
    ASSERT_TRUE(log.ok());
    int checked = 0;
    for (size_t i = 0; i < (*log)->elements; ++i) {
      const nlohmann::json entry =
          nlohmann::json::parse((*log)->element[i]->str);
      const std::string sql = entry["sql"];
      EXPECT_EQ(sql.find('{'), std::string::npos) << sql;
      if (entry["source"] == "write") {
        EXPECT_THAT(sql, ::testing::StartsWith("UPDATE reviews SET"));
        continue;
      }
      EXPECT_THAT(sql, HasSubstr("FROM reviews"));
      absl::StatusOr<std::optional<std::string>> value =
          primary_->Get(cache::CacheKey(prefix_, "reviews", sql));
      ASSERT_TRUE(value.ok());
      // A later write may have deleted it.
      if (writes && !value->has_value()) continue;
      ASSERT_TRUE(value->has_value()) << sql;
      absl::StatusOr<cache::ResultSet> decoded =
          cache::DecodeResultSet(**value);
      ASSERT_TRUE(decoded.ok()) << decoded.status();
      const cache::ResultSet expected = QueryMariaDb(stack_, sql);
      EXPECT_EQ(*decoded, expected) << sql;
      EXPECT_FALSE(expected.rows.empty()) << sql;
      ++checked;
    }
    EXPECT_GE(checked, writes ? 10 : 20);
  }
}

// mixed's votes against the cache: under ttl the cache serves stale product
// pages, and every difference verify= finds is one a vote explains; deleting
// on commit leaves at least ten times fewer stale reads.
TEST_F(WorkloadIntegrationTest, MixedStalenessUnderEachInvalidation) {
  StartDaemon({kWorkloadsFlag, "--cache_reads=primary"});
  std::map<std::string, double> stale_ratio;
  for (const std::string invalidate :
       {"ttl", "delete", "delete_twice", "write_through"}) {
    SCOPED_TRACE(invalidate);
    FlushCache();
    const nlohmann::json summary = RunToEnd(
        "run workload=mixed queries=4000 concurrency=4 ttl_ms=600000 seed=21 "
        "verify=100 delete_delay_ms=20 invalidate=" +
            invalidate,
        absl::Seconds(60));
    EXPECT_EQ(summary["state"], "finished");
    EXPECT_EQ(summary["errors"], 0);
    const nlohmann::json& f = summary["freshness"];
    EXPECT_EQ(f["invalidate"], invalidate);
    // One statement in eleven is a vote: about 364 of 4000.
    const int64_t writes = summary["writes"].get<int64_t>();
    EXPECT_GT(writes, 250);
    EXPECT_LT(writes, 480);
    EXPECT_EQ(f["writes"], writes);
    EXPECT_EQ(summary["db_writes"], writes);
    EXPECT_EQ(summary["latency_us"]["db_write"]["count"], writes);
    EXPECT_EQ(f["write_errors"], 0);
    // Every hit re-read, none unexplained, none failed.
    EXPECT_EQ(f["verified"], summary["hits"]);
    EXPECT_EQ(f["unexplained"], 0);
    EXPECT_EQ(f["verify_errors"], 0);
    EXPECT_EQ(f["unversioned_reads"], 0);
    // A stale read's rows differ from MySQL's, so verify counts each (and
    // those a vote overtook between the hit and the re-read).
    EXPECT_GE(f["verify_stale"].get<int64_t>(),
              f["stale_reads"].get<int64_t>());
    EXPECT_EQ(f["staleness_us"]["count"], f["stale_reads"]);
    const int64_t invalidations = f["invalidations"].get<int64_t>();
    if (invalidate == "ttl") {
      EXPECT_EQ(invalidations, 0);
    } else {
      // One key per vote; delete_twice deletes it twice.
      EXPECT_EQ(invalidations,
                invalidate == "delete_twice" ? 2 * writes : writes);
    }
    stale_ratio[invalidate] = f["stale_ratio"].get<double>();
    std::printf(
        "mixed invalidate=%s: %lld writes, hit ratio %.3f, %lld stale reads "
        "(ratio %.4f, age p50 %.0f us, p99 %.0f us, max %.0f us), %lld "
        "verified, %lld differed\n",
        invalidate.c_str(), static_cast<long long>(writes),
        summary["hit_ratio"].get<double>(),
        static_cast<long long>(f["stale_reads"].get<int64_t>()),
        stale_ratio[invalidate], f["staleness_us"]["p50"].get<double>(),
        f["staleness_us"]["p99"].get<double>(),
        f["staleness_us"]["max"].get<double>(),
        static_cast<long long>(f["verified"].get<int64_t>()),
        static_cast<long long>(f["verify_stale"].get<int64_t>()));
  }
  EXPECT_GT(stale_ratio["ttl"], 0.01);
  EXPECT_LE(stale_ratio["delete"] * 10, stale_ratio["ttl"]);
}

TEST_F(WorkloadIntegrationTest, BadWorkloadsAreErrorEventsAndTheDaemonGoesOn) {
  const std::string file = WriteFile("bad-sample.yaml", R"(
workloads:
  missing_table:
    statements:
      - name: s
        sql: SELECT * FROM reviews WHERE customer_id = {c}
        params:
          c: {sample: SELECT customer_id FROM no_such_table}
  unsafe_values:
    statements:
      - name: s
        sql: SELECT * FROM reviews WHERE review_headline = {h}
        params:
          h:
            sample: SELECT CONCAT(review_headline, '''') FROM reviews
)");
  StartDaemon({"--workloads=" + file});
  Publish("run workload=by_customer id=u1");
  nlohmann::json error = WaitForEvent("error");
  EXPECT_EQ(error["error"], "unknown_workload");
  EXPECT_EQ(error["id"], "u1");
  EXPECT_THAT(error["message"].get<std::string>(),
              HasSubstr("unknown workload 'by_customer' (this daemon has: "
                        "demo, missing_table, unsafe_values)"));

  Publish("run workload=missing_table id=m1");
  error = WaitForEvent("error");
  EXPECT_EQ(error["error"], "workload");
  EXPECT_EQ(error["id"], "m1");
  EXPECT_THAT(error["message"].get<std::string>(),
              HasSubstr("workload missing_table, statement s, parameter c: "
                        "sample failed: MySQL: "));
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("no_such_table"));

  Publish("run workload=unsafe_values id=q1");
  error = WaitForEvent("error");
  EXPECT_EQ(error["error"], "workload");
  EXPECT_THAT(error["message"].get<std::string>(),
              HasSubstr("not an integer or printable ASCII"));

  // Nothing was started, and the next run goes.
  const nlohmann::json summary = RunToEnd("run queries=20 id=ok1");
  EXPECT_EQ(summary["run_id"], "ok1");
  EXPECT_EQ(summary["params"]["workload"], "demo");
  EXPECT_EQ(summary["done"], 20);
}

TEST_F(WorkloadIntegrationTest, ABadWorkloadFileStopsTheDaemonAtStart) {
  const std::string file = WriteFile("bad-file.yaml",
                                     "workloads:\n"
                                     "  w:\n"
                                     "    statements:\n"
                                     "      - name: s\n"
                                     "        sql: SELECT {id}\n");
  for (const std::string& path : {file, std::string("/nonexistent.yaml")}) {
    ChildProcess daemon({stack_.bin_dir + "/dbcached", "--prefix=" + prefix_,
                         "--workloads=" + path},
                        stack_.ProgramEnv());
    const std::optional<int> code = daemon.WaitForExit(absl::Seconds(10));
    ASSERT_TRUE(code.has_value()) << daemon.Output();
    EXPECT_EQ(*code, 2);
    EXPECT_THAT(daemon.Output(),
                HasSubstr(path == file
                              ? file + ":5: workload 'w', statement 's': sql "
                                       "uses {id}, which is not a declared "
                                       "parameter"
                              : "cannot read workload file /nonexistent.yaml"));
  }
}

}  // namespace
}  // namespace dbcache::testing
