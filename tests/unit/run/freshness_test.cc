// Writes, invalidation and staleness through the engine, against a model
// database: each key p has a version, a write sets it and a read answers it.
// The test counts on its own what was stale (a GET answered with a version
// older than the model's) and checks the engine's counts against that.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "daemon/cache/codec.h"
#include "daemon/cache/digest.h"
#include "daemon/run/freshness/row_versions.h"
#include "daemon/run/run_engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/fakes/fake_mysql_executor.h"
#include "tests/unit/fakes/fake_redis_client.h"
#include "tests/unit/fakes/fake_scheduler.h"
#include "tests/unit/support/run_counts.h"

namespace dbcache::run {
namespace {

using testing::ExpectCountsAddUp;
using testing::FakeMysqlExecutor;
using testing::FakeRedisClient;
using testing::FakeScheduler;

constexpr int64_t kKeys = 3;

std::string ReadSql(int64_t p) {
  return "SELECT id, version FROM t WHERE p = " + std::to_string(p);
}

// Reads of p (weight 3) and writes to p (weight 1) that affect them.
WorkloadSpec Spec() {
  StatementSpec read;
  read.name = "r";
  read.weight = 3;
  read.sql = "SELECT id, version FROM t WHERE p = {p}";
  ParamSpec param;
  param.name = "p";
  param.lo = 1;
  param.hi = kKeys;
  read.params = {param};
  const std::vector<std::string> p = {"p"};
  read.sql_template = *ParseSqlTemplate(read.sql, p);
  StatementSpec write;
  write.name = "w";
  write.write = true;
  write.sql = "UPDATE t SET version = {version} WHERE p = {p}";
  write.params = read.params;
  const std::vector<std::string> p_version = {"p", "version"};
  write.sql_template = *ParseSqlTemplate(write.sql, p_version);
  write.affects = {"r"};
  write.affected = {AffectedRead{0, {0}}};
  return WorkloadSpec{"f", "", {read, write}, 0};
}

WorkloadDomains Domains() {
  WorkloadDomains domains(2);
  for (auto& d : domains) d.push_back(ParamDomain::Range(1, kKeys));
  return domains;
}

class FreshnessTest : public ::testing::Test {
 protected:
  FreshnessTest()
      : engine_(clock_, redis_, redis_, db_,
                EngineConfig{"reviews", "dbcache:", "unused {}", 1000}) {
    engine_.SetErrorEventCallback(
        [this](std::string_view code, std::string_view message) {
          events_.push_back(std::string(code) + ": " + std::string(message));
        });
    for (int64_t p = 1; p <= kKeys; ++p) {
      key_of_[cache::CacheKey("dbcache:", "reviews", ReadSql(p))] = p;
      model_[p] = 1;
    }
  }

  RunParams Params(Invalidate invalidate, int64_t queries = 400) {
    RunParams params;
    params.queries = queries;
    params.concurrency = 1;
    params.seed = 11;
    params.ttl_ms = 600'000;
    params.invalidate = invalidate;
    params.workload = "f";
    return params;
  }

  // Answers the oldest Redis command, else the oldest statement; false when
  // neither has anything pending.
  bool Step() {
    if (redis_.pending() > 0) {
      Observe(redis_.front().argv);
      redis_.AnswerOne();
      return true;
    }
    if (db_.pending() == 0) return false;
    AnswerDb();
    return true;
  }

  void Run(const RunParams& params) {
    ASSERT_TRUE(engine_.Start(params, "f1", Spec(), Domains()).ok());
    for (int step = 0; step < 1'000'000 && engine_.running(); ++step) {
      clock_.Advance(absl::Microseconds(10));
      if (!Step()) clock_.Advance(absl::Milliseconds(50));  // delete_twice's
      ExpectCountsAddUp(engine_);
    }
    ASSERT_FALSE(engine_.running());
    EXPECT_EQ(engine_.stats().state(), RunState::kFinished);
    ExpectCountsAddUp(engine_);
  }

  // A GET about to be answered from the map: stale if the cached version is
  // older than the model's (every write here commits before the next query
  // starts, as concurrency is 1).
  void Observe(const std::vector<std::string>& argv) {
    if (argv[0] == "DEL") dels_ += static_cast<int>(argv.size()) - 1;
    if (argv[0] != "GET" || !redis_.data().contains(argv[1])) return;
    absl::StatusOr<cache::ResultSet> rows =
        cache::DecodeResultSet(redis_.data()[argv[1]]);
    ASSERT_TRUE(rows.ok());
    const std::optional<std::vector<uint64_t>> v = RowVersionsOf(*rows);
    ASSERT_TRUE(v.has_value());
    ASSERT_EQ(v->size(), 1u);
    const int64_t p = key_of_.at(argv[1]);
    if (v->front() < model_[p]) ++stale_seen_;
    if (model_[p] > 1) ++hits_of_written_keys_;
  }

  void AnswerDb() {
    const std::string sql = db_.front_sql();
    const size_t at = sql.rfind("p = ");
    int64_t p = 0;
    ASSERT_TRUE(absl::SimpleAtoi(sql.substr(at + 4), &p)) << sql;
    if (sql.starts_with("UPDATE")) {
      uint64_t version = 0;
      const size_t v = sql.find("version = ") + 10;
      ASSERT_TRUE(
          absl::SimpleAtoi(sql.substr(v, sql.find(' ', v) - v), &version))
          << sql;
      EXPECT_GT(version, model_[p]) << "versions grow";
      model_[p] = version;
      ++writes_seen_;
      db_.AnswerNoResultSet(1);
      return;
    }
    const cache::ResultSet rows{
        {"id", "version"},
        {{std::to_string(p) + extra_[p], std::to_string(model_[p])}}};
    db_.AnswerOne(rows);
    if (p == change_after_first_read_) extra_[p] = "-changed";
  }

  FakeScheduler clock_;
  FakeRedisClient redis_;
  FakeMysqlExecutor db_{&clock_};
  RunEngine engine_;
  std::map<std::string, int64_t> key_of_;
  std::map<int64_t, uint64_t> model_;
  // Changes behind the engine's back: text appended to a row's id.
  std::map<int64_t, std::string> extra_;
  int64_t change_after_first_read_ = 0;
  std::vector<std::string> events_;
  int stale_seen_ = 0;
  int hits_of_written_keys_ = 0;
  int writes_seen_ = 0;
  int dels_ = 0;
};

TEST_F(FreshnessTest, TtlServesStaleReadsAndCountsEachOne) {
  Run(Params(Invalidate::kTtl));
  const RunStats& s = engine_.stats();
  const FreshnessStats& f = s.freshness();
  EXPECT_EQ(s.writes(), static_cast<uint64_t>(writes_seen_));
  EXPECT_GT(s.writes(), 50u);  // a quarter of 400
  EXPECT_EQ(s.db_writes(), s.writes());
  EXPECT_EQ(s.db_write().count(), s.writes());
  // Writes are not reads: the DB reads are the misses alone.
  EXPECT_EQ(s.db_queries(), s.misses());
  EXPECT_EQ(s.misses(), static_cast<uint64_t>(kKeys));
  EXPECT_GT(stale_seen_, 100);
  EXPECT_EQ(f.stale_reads, static_cast<uint64_t>(stale_seen_));
  EXPECT_EQ(f.staleness.count(), f.stale_reads);
  // The hits judged: those of keys a write had touched.
  EXPECT_EQ(f.checked_reads, static_cast<uint64_t>(hits_of_written_keys_));
  EXPECT_GT(f.checked_reads, s.hits() / 2);
  EXPECT_EQ(f.unversioned_reads, 0u);
  EXPECT_EQ(f.invalidations, 0u);
  EXPECT_EQ(dels_, 0);
}

TEST_F(FreshnessTest, DeleteLeavesNothingStaleWhenNothingRaces) {
  Run(Params(Invalidate::kDelete));
  const RunStats& s = engine_.stats();
  const FreshnessStats& f = s.freshness();
  EXPECT_GT(s.writes(), 50u);
  EXPECT_EQ(stale_seen_, 0);
  EXPECT_EQ(f.stale_reads, 0u);
  // One key per write, deleted once.
  EXPECT_EQ(f.invalidations, s.writes());
  EXPECT_EQ(dels_, static_cast<int>(s.writes()));
  // Each delete costs the next read of its key a miss.
  EXPECT_GT(s.misses(), static_cast<uint64_t>(kKeys));
  EXPECT_EQ(s.db_queries(), s.misses());
}

TEST_F(FreshnessTest, WriteThroughRereadsEachKeyAndStoresTheNewRows) {
  Run(Params(Invalidate::kWriteThrough));
  const RunStats& s = engine_.stats();
  EXPECT_EQ(stale_seen_, 0);
  EXPECT_EQ(s.freshness().stale_reads, 0u);
  EXPECT_EQ(s.freshness().invalidations, s.writes());
  // Only the cold misses: every write refilled its key.
  EXPECT_EQ(s.misses(), static_cast<uint64_t>(kKeys));
  EXPECT_EQ(s.db_queries(), s.misses() + s.writes());
  for (int64_t p = 1; p <= kKeys; ++p) {
    absl::StatusOr<cache::ResultSet> rows = cache::DecodeResultSet(
        redis_.data()[cache::CacheKey("dbcache:", "reviews", ReadSql(p))]);
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(RowVersionsOf(*rows)->front(), model_[p]) << p;
  }
}

TEST_F(FreshnessTest, DeleteTwiceDeletesAgainAfterTheDelayBeforeTheRunEnds) {
  RunParams params = Params(Invalidate::kDeleteTwice, 40);
  params.delete_delay_ms = 100;
  Run(params);
  const RunStats& s = engine_.stats();
  EXPECT_GT(s.writes(), 3u);
  EXPECT_EQ(dels_, static_cast<int>(2 * s.writes()));
  EXPECT_EQ(s.freshness().invalidations, 2 * s.writes());
  EXPECT_EQ(clock_.enabled_timers(), 0);
}

TEST_F(FreshnessTest, ACancelSendsTheSecondDeletesAtOnce) {
  RunParams params = Params(Invalidate::kDeleteTwice, 1000);
  params.delete_delay_ms = 60'000;
  ASSERT_TRUE(engine_.Start(params, "f1", Spec(), Domains()).ok());
  // Until some writes have deleted once and wait for their second delete.
  while (dels_ < 3) {
    clock_.Advance(absl::Microseconds(10));
    ASSERT_TRUE(Step());
  }
  const int64_t cancelled_at = clock_.NowNanos();
  engine_.Cancel();
  while (engine_.running() && Step()) {
  }

  // Ended without the minute's wait, every write's key deleted twice.
  EXPECT_FALSE(engine_.running());
  EXPECT_EQ(engine_.stats().state(), RunState::kCancelled);
  EXPECT_EQ(clock_.NowNanos(), cancelled_at);
  EXPECT_EQ(dels_, static_cast<int>(2 * engine_.stats().writes()));
  EXPECT_EQ(clock_.enabled_timers(), 0);
  ExpectCountsAddUp(engine_);
}

TEST_F(FreshnessTest, VerifyFindsTheStaleRowsAndTheLedgerExplainsEach) {
  RunParams params = Params(Invalidate::kTtl);
  params.verify_pct = 100;
  Run(params);
  const FreshnessStats& f = engine_.stats().freshness();
  EXPECT_EQ(f.verified, engine_.stats().hits());
  // Each stale read differs from MySQL, and the ledger explains it.
  EXPECT_GT(f.stale_reads, 100u);
  EXPECT_EQ(f.verify_stale, f.stale_reads);
  EXPECT_EQ(f.unexplained, 0u);
  EXPECT_EQ(f.verify_errors, 0u);
  EXPECT_TRUE(events_.empty());
  // Re-reads are measurement, not load: the DB reads are the misses alone.
  EXPECT_EQ(engine_.stats().db_queries(), engine_.stats().misses());
}

TEST_F(FreshnessTest, VerifyReportsRowsThatChangedWithNoWriteToExplainThem) {
  // A read-only run, and key 2's row changes behind dbcached's back (no
  // version moves) once it is cached.
  WorkloadSpec spec = Spec();
  spec.statements.pop_back();
  WorkloadDomains domains = Domains();
  domains.pop_back();
  change_after_first_read_ = 2;
  RunParams params = Params(Invalidate::kTtl, 300);
  params.verify_pct = 50;
  ASSERT_TRUE(engine_.Start(params, "f2", spec, std::move(domains)).ok());
  while (engine_.running()) {
    clock_.Advance(absl::Microseconds(10));
    ASSERT_TRUE(Step());
  }
  ExpectCountsAddUp(engine_);
  const FreshnessStats& f = engine_.stats().freshness();
  // About half of the hits, a third of them of key 2: each of those differs.
  EXPECT_GT(f.verified, 100u);
  EXPECT_LT(f.verified, engine_.stats().hits());
  EXPECT_GT(f.unexplained, 20u);
  EXPECT_LT(f.unexplained, f.verified);
  EXPECT_EQ(f.verify_stale, 0u);
  EXPECT_EQ(f.stale_reads, 0u);
  EXPECT_EQ(f.checked_reads, 0u);  // no write, nothing to judge by versions
  // The first ten are events naming the run and the key.
  ASSERT_EQ(events_.size(), 10u);
  EXPECT_THAT(events_[0], ::testing::StartsWith("unexplained: run f2: "));
  EXPECT_THAT(events_[0], ::testing::HasSubstr(cache::CacheKey(
                              "dbcache:", "reviews", ReadSql(2))));
}

TEST_F(FreshnessTest, AFailedWriteIsAnErrorOfItsOwnKindAndChangesNothing) {
  ASSERT_TRUE(
      engine_.Start(Params(Invalidate::kDelete, 200), "f1", Spec(), Domains())
          .ok());
  int failed = 0;
  while (engine_.running()) {
    clock_.Advance(absl::Microseconds(10));
    if (redis_.pending() > 0) {
      redis_.AnswerOne();
    } else if (db_.pending() > 0) {
      if (db_.front_sql().starts_with("UPDATE")) {
        db_.FailOne(absl::InternalError("deadlock"));
        ++failed;
      } else {
        AnswerDb();
      }
    }
  }
  const RunStats& s = engine_.stats();
  ExpectCountsAddUp(engine_);
  EXPECT_EQ(s.writes(), 0u);
  EXPECT_EQ(s.errors(ErrorKind::kDbWrite), static_cast<uint64_t>(failed));
  EXPECT_EQ(s.db_writes(), static_cast<uint64_t>(failed));
  EXPECT_EQ(s.freshness().invalidations, 0u);
  EXPECT_EQ(s.freshness().stale_reads, 0u);
  EXPECT_EQ(s.misses(), static_cast<uint64_t>(kKeys));
}

}  // namespace
}  // namespace dbcache::run
