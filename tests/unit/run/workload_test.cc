#include "daemon/run/workload/workload.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "daemon/cache/digest.h"
#include "daemon/run/workload/param_domain.h"
#include "daemon/run/workload/sql_template.h"
#include "daemon/run/workload/workload_catalog.h"
#include "daemon/run/workload/workload_preparer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/fakes/fake_mysql_executor.h"

namespace dbcache::run {
namespace {

using ::testing::HasSubstr;

constexpr char kTemplate[] =
    "SELECT customer_id, review_id FROM reviews LIMIT {}";

TEST(SqlTemplateTest, CutsAtPlaceholdersAndRepeatsThem) {
  const std::vector<std::string> names = {"a", "b"};
  absl::StatusOr<SqlTemplate> t = ParseSqlTemplate("x {b} y {a} z {b}", names);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->literals, (std::vector<std::string>{"x ", " y ", " z ", ""}));
  EXPECT_EQ(t->slots, (std::vector<size_t>{1, 0, 1}));
  EXPECT_EQ(DemoSqlTemplate("LIMIT {} -- {x}").literals,
            (std::vector<std::string>{"LIMIT ", " -- {x}"}));
}

TEST(ParamDomainTest, SamplesAreSortedDeduplicatedAndQuoted) {
  absl::StatusOr<ParamDomain> numbers =
      ParamDomain::FromSample({"30", "4", std::nullopt, "-2", "30"});
  ASSERT_TRUE(numbers.ok()) << numbers.status();
  ASSERT_EQ(numbers->size(), 3);
  std::string sql;
  for (int64_t rank = 1; rank <= 3; ++rank) {
    numbers->AppendLiteral(rank, &sql);
    sql += ",";
  }
  EXPECT_EQ(sql, "-2,4,30,");  // numerically, not "-2,30,4"

  absl::StatusOr<ParamDomain> text =
      ParamDomain::FromSample({"Toys", "Health & Personal Care", "Books"});
  ASSERT_TRUE(text.ok()) << text.status();
  sql.clear();
  text->AppendLiteral(1, &sql);
  text->AppendLiteral(2, &sql);
  EXPECT_EQ(sql, "'Books''Health & Personal Care'");
  // "007" is not the integer 7: the whole sample is text then.
  absl::StatusOr<ParamDomain> mixed = ParamDomain::FromSample({"007", "8"});
  ASSERT_TRUE(mixed.ok());
  sql.clear();
  mixed->AppendLiteral(1, &sql);
  EXPECT_EQ(sql, "'007'");

  for (const std::string bad :
       {"O'Brien", "a\\b", "tab\there", "caf\xc3\xa9", ""}) {
    absl::StatusOr<ParamDomain> refused = ParamDomain::FromSample({"ok", bad});
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_THAT(std::string(refused.status().message()),
                HasSubstr("not an integer or printable ASCII"));
  }
  EXPECT_FALSE(ParamDomain::FromSample({std::nullopt}).ok());

  ParamDomain range = ParamDomain::Range(-3, 6);
  EXPECT_EQ(range.size(), 10);
  range.Truncate(4);
  EXPECT_EQ(range.size(), 4);
  sql.clear();
  range.AppendLiteral(4, &sql);
  EXPECT_EQ(sql, "0");
}

TEST(WorkloadTest, TheDemoRendersItsTemplateAndDigestKey) {
  Workload w(kTemplate, "reviews", "dbcache:", 42, 1,
             *ParseKeyDistribution("sequential"));
  std::string sql, key;
  for (int i = 0; i < 42; ++i) w.Next(&sql, &key);
  EXPECT_EQ(sql, "SELECT customer_id, review_id FROM reviews LIMIT 42");
  // The digest vector of tests/unit/cache/digest_test.cc, written out: the
  // key of LIMIT 42 in database `reviews`.
  EXPECT_EQ(key, "dbcache:q:e88abb3e9891f34276730d5770bcd5b6");
  EXPECT_EQ(w.KeyCount(), 42);
  EXPECT_EQ(w.DistributionText(), "sequential");
}

TEST(WorkloadTest, TheDemoRangeIsInclusive) {
  Workload w("x {}", "db", "p:", 3, 9);
  std::set<std::string> seen;
  std::string sql, key;
  for (int i = 0; i < 200; ++i) {
    w.Next(&sql, &key);
    seen.insert(sql);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"x 1", "x 2", "x 3"}));
}

// The demo spec with a Range domain draws what the demo constructor draws:
// the engine's two paths give one run for one seed.
TEST(WorkloadTest, TheDemoSpecAndTheDemoConstructorAgree) {
  Workload direct(kTemplate, "reviews", "dbcache:", 75, 1234);
  WorkloadDomains domains(1);
  domains[0].push_back(ParamDomain::Range(1, 75));
  Workload from_spec(DemoWorkload(kTemplate), std::move(domains), std::nullopt,
                     "reviews", "dbcache:", 1234);
  std::string a, b, key;
  for (int i = 0; i < 500; ++i) {
    direct.Next(&a, &key);
    from_spec.Next(&b, &key);
    ASSERT_EQ(a, b) << i;
  }
}

WorkloadSpec TwoStatements() {
  WorkloadSpec spec;
  spec.name = "two";
  for (const auto& [name, weight] :
       std::vector<std::pair<std::string, int64_t>>{{"a", 3}, {"b", 1}}) {
    StatementSpec s;
    s.name = name;
    s.weight = weight;
    ParamSpec p;
    p.name = "v";
    s.params.push_back(p);
    const std::vector<std::string> names = {"v"};
    s.sql_template = *ParseSqlTemplate(name + " {v}", names);
    spec.statements.push_back(s);
  }
  return spec;
}

TEST(WorkloadTest, StatementsArePickedByWeightAndParametersByDistribution) {
  WorkloadDomains domains(2);
  domains[0].push_back(ParamDomain::Range(1, 10));
  domains[1].push_back(*ParamDomain::FromSample({"x", "y"}));
  Workload w(TwoStatements(), std::move(domains),
             *ParseKeyDistribution("zipf:2"), "db", "p:", 5);
  EXPECT_EQ(w.KeyCount(), 12);
  EXPECT_EQ(w.DistributionText(), "zipf:2");
  std::map<std::string, int> counts;
  std::string sql, key;
  constexpr int kDraws = 40000;
  for (int i = 0; i < kDraws; ++i) {
    w.Next(&sql, &key);
    ++counts[sql];
  }
  int a = 0;
  for (const auto& [s, n] : counts) a += s[0] == 'a' ? n : 0;
  // 3:1 weights: a's share is 0.75, sd sqrt(.75*.25/40000) = 0.0022.
  EXPECT_NEAR(a / static_cast<double>(kDraws), 0.75, 0.011);
  // zipf:2 over 10: rank 1's share is 1/H(10,2) = 0.6452 of a's draws.
  EXPECT_NEAR(counts["a 1"] / static_cast<double>(a), 0.6452, 0.02);
  EXPECT_GT(counts["b 'x'"], counts["b 'y'"]);
  EXPECT_EQ(counts.size(), 12u);
}

TEST(WorkloadTest, ParametersKeepTheirOwnDistributionUnlessTheRunSetsOne) {
  WorkloadSpec spec = TwoStatements();
  spec.statements[0].params[0].dist = *ParseKeyDistribution("zipf:1.5");
  auto domains = [] {
    WorkloadDomains d(2);
    d[0].push_back(ParamDomain::Range(1, 10));
    d[1].push_back(ParamDomain::Range(1, 10));
    return d;
  };
  EXPECT_EQ(
      Workload(spec, domains(), std::nullopt, "db", "p:", 1).DistributionText(),
      "per parameter");
  EXPECT_EQ(Workload(spec, domains(), KeyDistribution(), "db", "p:", 1)
                .DistributionText(),
            "uniform");
}

// A write renders its {version} and the keys of the reads it affects: the
// keys those reads have for the value the write drew.
TEST(WorkloadTest, AWriteRendersItsVersionAndTheKeysOfTheReadsItAffects) {
  WorkloadSpec spec;
  StatementSpec read;
  read.name = "r";
  ParamSpec a, b;
  a.name = "a";
  b.name = "b";
  read.params = {a, b};
  const std::vector<std::string> read_names = {"a", "b"};
  read.sql_template = *ParseSqlTemplate("R {b} {a}", read_names);
  StatementSpec write;
  write.name = "w";
  write.write = true;
  // The write's parameters in another order than the read's.
  write.params = {b, a};
  const std::vector<std::string> write_names = {"b", "a", "version"};
  write.sql_template = *ParseSqlTemplate("W {version} {a} {b}", write_names);
  write.affected = {AffectedRead{0, {1, 0}}};
  spec.statements = {read, write};
  WorkloadDomains domains(2);
  domains[0] = {ParamDomain::Range(1, 4), *ParamDomain::FromSample({"x", "y"})};
  domains[1] = {*ParamDomain::FromSample({"x", "y"}), ParamDomain::Range(1, 4)};
  Workload w(spec, std::move(domains), std::nullopt, "db", "p:", 3);
  EXPECT_TRUE(w.has_writes());
  EXPECT_EQ(w.KeyCount(), 8);  // the read's; a write is no cache key
  std::set<std::string> read_keys, affected_keys;
  int writes = 0;
  std::string sql, key;
  for (int i = 0; i < 400; ++i) {
    const size_t s = w.Next(&sql, &key, 1000 + i);
    if (!w.IsWrite(s)) {
      EXPECT_EQ(key, cache::CacheKey("p:", "db", sql));
      read_keys.insert(key);
      continue;
    }
    ++writes;
    EXPECT_TRUE(key.empty());
    // "W 1000+i A B": the same values a read of them renders as "R B A".
    const std::vector<std::string> parts = absl::StrSplit(sql, ' ');
    ASSERT_EQ(parts.size(), 4u) << sql;
    EXPECT_EQ(parts[1], std::to_string(1000 + i));
    std::vector<std::string> sqls, keys;
    w.AppendAffected(&sqls, &keys);
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(sqls[0], "R " + parts[3] + " " + parts[2]);
    EXPECT_EQ(keys[0], cache::CacheKey("p:", "db", sqls[0]));
    affected_keys.insert(keys[0]);
  }
  EXPECT_GT(writes, 150);
  EXPECT_EQ(read_keys.size(), 8u);
  EXPECT_EQ(affected_keys, read_keys);
}

class WorkloadPreparerTest : public ::testing::Test {
 protected:
  WorkloadSpec Spec() {
    WorkloadSpec spec;
    spec.name = "w";
    StatementSpec s;
    s.name = "s";
    ParamSpec customer;
    customer.name = "c";
    customer.source = ParamSpec::Source::kSample;
    customer.sample_sql = "SELECT DISTINCT customer_id FROM reviews";
    ParamSpec stars;
    stars.name = "stars";
    stars.lo = 1;
    stars.hi = 5;
    s.params = {customer, stars};
    StatementSpec again = s;  // the same sample, read once
    again.name = "again";
    again.params.pop_back();
    spec.statements = {s, again};
    return spec;
  }

  testing::FakeMysqlExecutor db_;
  WorkloadPreparer preparer_{db_};
};

TEST_F(WorkloadPreparerTest, ReadsEachSampleOnceAndCutsToKeys) {
  const WorkloadSpec spec = Spec();
  RunParams params;
  params.keys = 2;
  std::optional<absl::StatusOr<WorkloadDomains>> got;
  preparer_.Prepare(spec, params,
                    [&](absl::StatusOr<WorkloadDomains> d) { got = d; });
  EXPECT_FALSE(got.has_value());
  EXPECT_TRUE(preparer_.busy());
  ASSERT_EQ(db_.pending(), 1u);
  db_.AnswerOne(cache::ResultSet{{"customer_id"},
                                 {{"9"}, {"3"}, {std::nullopt}, {"5"}, {"3"}}});
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok()) << got->status();
  const WorkloadDomains& d = **got;
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0][0].size(), 2);  // 3, 5 (9 cut by keys=2)
  EXPECT_EQ(d[0][1].size(), 2);  // 1..5 cut to 1..2
  std::string sql;
  d[1][0].AppendLiteral(2, &sql);
  EXPECT_EQ(sql, "5");
  EXPECT_FALSE(preparer_.busy());
  EXPECT_EQ(db_.history().size(), 1u);
}

TEST_F(WorkloadPreparerTest, AFailedOrUnsafeSampleNamesItsParameter) {
  const WorkloadSpec spec = Spec();
  std::optional<absl::StatusOr<WorkloadDomains>> got;
  preparer_.Prepare(spec, RunParams(),
                    [&](absl::StatusOr<WorkloadDomains> d) { got = d; });
  db_.FailOne(absl::InternalError("Table 'reviews' doesn't exist"));
  ASSERT_TRUE(got.has_value());
  ASSERT_FALSE(got->ok());
  EXPECT_THAT(std::string(got->status().message()),
              HasSubstr("workload w, statement s, parameter c: sample failed: "
                        "MySQL: Table 'reviews' doesn't exist"));

  got.reset();
  preparer_.Prepare(spec, RunParams(),
                    [&](absl::StatusOr<WorkloadDomains> d) { got = d; });
  db_.AnswerOne(cache::ResultSet{{"c"}, {{"x'; DROP TABLE reviews; --"}}});
  ASSERT_TRUE(got.has_value());
  ASSERT_FALSE(got->ok());
  EXPECT_THAT(std::string(got->status().message()),
              HasSubstr("not an integer or printable ASCII"));
}

TEST_F(WorkloadPreparerTest, CancelledPreparationsNeverAnswer) {
  const WorkloadSpec spec = Spec();
  bool called = false;
  preparer_.Prepare(spec, RunParams(),
                    [&](absl::StatusOr<WorkloadDomains>) { called = true; });
  preparer_.Cancel();
  db_.AnswerOne(cache::ResultSet{{"c"}, {{"1"}}});
  EXPECT_FALSE(called);
  EXPECT_FALSE(preparer_.busy());
}

TEST_F(WorkloadPreparerTest, RangesOnlyAnswerAtOnce) {
  const WorkloadSpec spec = DemoWorkload(kTemplate);
  RunParams params;
  params.limit_max = 40;
  params.keys = 300;  // the demo's keys= may pass limit_max
  std::optional<absl::StatusOr<WorkloadDomains>> got;
  preparer_.Prepare(spec, params,
                    [&](absl::StatusOr<WorkloadDomains> d) { got = d; });
  ASSERT_TRUE(got.has_value() && got->ok());
  EXPECT_EQ((**got)[0][0].size(), 300);
  EXPECT_EQ(db_.pending(), 0u);
}

}  // namespace
}  // namespace dbcache::run
