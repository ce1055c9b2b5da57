#include "daemon/run/workload/workload_file.h"

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::run {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kDemoSql[] =
    "SELECT customer_id, review_id FROM reviews LIMIT {}";

absl::StatusOr<WorkloadCatalog> Parse(const std::string& text) {
  return ParseWorkloadFile(text, "w.yaml", kDemoSql);
}

TEST(WorkloadFileTest, ReadsWorkloadsStatementsAndParameters) {
  absl::StatusOr<WorkloadCatalog> catalog = Parse(R"(
workloads:
  lookups:
    description: two statements
    statements:
      - name: by_id
        weight: 3
        sql: SELECT * FROM reviews WHERE id = {id} AND star_rating >= {stars}
        params:
          id: {range: [10, 19], dist: zipf:1.1}
          stars: {range: [1, 5]}
      - name: by_category
        sql: SELECT COUNT(*) FROM reviews WHERE product_category = {c}
        params:
          c: {sample: SELECT DISTINCT product_category FROM reviews}
)");
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  EXPECT_EQ(catalog->Names(), "demo, lookups");
  const WorkloadSpec* w = catalog->Find("lookups");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->description, "two statements");
  ASSERT_EQ(w->statements.size(), 2u);
  const StatementSpec& by_id = w->statements[0];
  EXPECT_EQ(by_id.name, "by_id");
  EXPECT_EQ(by_id.weight, 3);
  EXPECT_EQ(by_id.line, 6);
  ASSERT_EQ(by_id.params.size(), 2u);
  EXPECT_EQ(by_id.params[0].name, "id");
  EXPECT_EQ(by_id.params[0].source, ParamSpec::Source::kRange);
  EXPECT_EQ(by_id.params[0].lo, 10);
  EXPECT_EQ(by_id.params[0].hi, 19);
  ASSERT_TRUE(by_id.params[0].dist.has_value());
  EXPECT_EQ(KeyDistributionName(*by_id.params[0].dist), "zipf:1.1");
  EXPECT_FALSE(by_id.params[1].dist.has_value());
  EXPECT_EQ(by_id.sql_template.literals,
            (std::vector<std::string>{"SELECT * FROM reviews WHERE id = ",
                                      " AND star_rating >= ", ""}));
  EXPECT_EQ(by_id.sql_template.slots, (std::vector<size_t>{0, 1}));
  const StatementSpec& by_category = w->statements[1];
  EXPECT_EQ(by_category.weight, 1);
  EXPECT_EQ(by_category.params[0].source, ParamSpec::Source::kSample);
  EXPECT_EQ(by_category.params[0].sample_sql,
            "SELECT DISTINCT product_category FROM reviews");
  // The demo is always there, from the configured template.
  const WorkloadSpec* demo = catalog->Find("demo");
  ASSERT_NE(demo, nullptr);
  EXPECT_EQ(demo->statements[0].sql, kDemoSql);
  EXPECT_EQ(demo->statements[0].params[0].source, ParamSpec::Source::kLimitMax);
}

TEST(WorkloadFileTest, AnEmptyFileHoldsTheDemoOnly) {
  for (const std::string text : {"", "# nothing\n", "workloads:\n"}) {
    absl::StatusOr<WorkloadCatalog> catalog = Parse(text);
    ASSERT_TRUE(catalog.ok()) << text << ": " << catalog.status();
    EXPECT_EQ(catalog->Names(), "demo");
  }
}

// Every mistake names the file, the line and what is wrong.
TEST(WorkloadFileTest, EveryBadFormIsAClearErrorWithFileAndLine) {
  const std::string head =
      "workloads:\n"        // 1
      "  w:\n"              // 2
      "    statements:\n"   // 3
      "      - name: s\n";  // 4
  struct Case {
    std::string text;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"workloads: [\n", "w.yaml:2: not valid YAML"},
      {"- a\n", "w.yaml:1: the file must be a mapping with workloads"},
      {"workload:\n  w: {}\n",
       "w.yaml:1: unknown key 'workload' (allowed here: workloads)"},
      {"workloads: [a]\n", "w.yaml:1: workloads must be a mapping of names"},
      {"workloads:\n  Bad-Name: {}\n",
       "w.yaml:2: workload name 'Bad-Name' is not a name"},
      {"workloads:\n  demo:\n    statements:\n      - name: s\n        sql: "
       "SELECT 1\n",
       "w.yaml:2: workload 'demo' is built in"},
      {"workloads:\n  w:\n    description: x\n",
       "w.yaml:2: workload 'w': needs statements"},
      {"workloads:\n  w:\n    statements: []\n",
       "w.yaml:3: workload 'w': needs statements"},
      {"workloads:\n  w:\n    statments: []\n",
       "w.yaml:3: workload 'w': unknown key 'statments' (allowed here: "
       "description, statements)"},
      {head, "w.yaml:4: workload 'w', statement 's': needs sql"},
      {"workloads:\n  w:\n    statements:\n      - sql: SELECT 1\n",
       "w.yaml:4: workload 'w': a statement needs a name"},
      {head + "        sql: SELECT 1\n        wieght: 2\n",
       "w.yaml:6: workload 'w', statement 's': unknown key 'wieght' (allowed "
       "here: name, weight, sql, params, write, affects)"},
      {head + "        sql: SELECT 1\n        weight: 0\n",
       "w.yaml:6: workload 'w', statement 's': weight 0 is out of range "
       "1..1000000"},
      {head + "        sql: SELECT 1\n        weight: many\n",
       "weight must be an integer, not 'many'"},
      {head + "        sql: SELECT 1\n      - name: s\n        sql: SELECT "
              "2\n",
       "w.yaml:6: workload 'w': statement 's' is defined twice"},
      // SQL with no parameter where one is declared, and the reverse.
      {head + "        sql: SELECT 1\n        params:\n          id: {range: "
              "[1, 5]}\n",
       "w.yaml:5: workload 'w', statement 's': parameter 'id' is declared "
       "but the sql has no {id}"},
      {head + "        sql: SELECT * FROM t WHERE id = {id}\n",
       "w.yaml:5: workload 'w', statement 's': sql uses {id}, which is not a "
       "declared parameter"},
      {head + "        sql: SELECT * FROM t LIMIT {}\n",
       "sql has a {} placeholder: name the parameter"},
      {head + "        sql: SELECT * FROM t WHERE id = {id\n        params:\n"
              "          id: {range: [1, 5]}\n",
       "sql has a '{' at byte 27 with no '}' after it"},
      {head + "        sql: SELECT * FROM t WHERE id = {id}}\n        "
              "params:\n          id: {range: [1, 5]}\n",
       "sql has a '}' at byte 31 that closes no placeholder"},
      {head + "        sql: SELECT {id}\n        params:\n          id: {}\n",
       "w.yaml:7: workload 'w', statement 's', parameter 'id': needs exactly "
       "one of range: [LO, HI] and sample: SELECT ..."},
      {head + "        sql: SELECT {id}\n        params:\n          id: "
              "{range: [1, 5], sample: SELECT 1}\n",
       "needs exactly one of range"},
      {head + "        sql: SELECT {id}\n        params:\n          id: "
              "{range: [5, 1]}\n",
       "w.yaml:7: workload 'w', statement 's', parameter 'id': range [5, 1] "
       "is empty (LO > HI)"},
      {head + "        sql: SELECT {id}\n        params:\n          id: "
              "{range: [1]}\n",
       "range must be [LO, HI]"},
      {head + "        sql: SELECT {id}\n        params:\n          id: "
              "{range: [1, x]}\n",
       "range's HI must be an integer, not 'x'"},
      {head + "        sql: SELECT {id}\n        params:\n          id: "
              "{sample: DELETE FROM reviews}\n",
       "w.yaml:7: workload 'w', statement 's', parameter 'id': sample must "
       "be a SELECT statement"},
      {head + "        sql: SELECT {id}\n        params:\n          id: "
              "{range: [1, 5], dist: gauss}\n",
       "parameter 'id': dist gauss is not a distribution (forms: "
       "uniform|zipf:S|hotspot:P:Q|sequential)"},
      {head + "        sql: SELECT {id}\n        params:\n          id: "
              "{range: [1, 5], skew: 2}\n",
       "parameter 'id': unknown key 'skew' (allowed here: range, sample, "
       "dist)"},
      {head + "        sql: SELECT {id}\n        params:\n          id: 5\n",
       "parameter 'id': must be a mapping with range"},
      {head + "        sql: SELECT {id}\n        params: [id]\n",
       "params must be a mapping of names, not a list"},
      {head + "        sql: [SELECT 1]\n", "'sql' must be text, not a list"},
      // Writes.
      {head + "        sql: SELECT 1\n        write: yes\n",
       "w.yaml:6: workload 'w', statement 's': write must be true or false"},
      {head + "        sql: SELECT 1\n        affects: [r]\n",
       "w.yaml:6: workload 'w', statement 's': affects is for writes"},
      {head + "        sql: UPDATE t SET version = {version}\n"
              "        write: true\n",
       "w.yaml:4: workload 'w', statement 's': a write needs affects"},
      {head + "        sql: UPDATE t SET version = {version}\n"
              "        write: true\n        affects: r\n",
       "w.yaml:7: workload 'w', statement 's': affects must be a list"},
      {head + "        sql: UPDATE t SET version = {version}\n"
              "        write: true\n        affects: [nowhere]\n",
       "w.yaml:7: workload 'w', statement 's': affects 'nowhere', which is "
       "not a statement of this workload"},
      {head + "        sql: UPDATE t SET n = 1 WHERE id = {id}\n"
              "        write: true\n        affects: [s]\n        params:\n"
              "          id: {range: [1, 5]}\n",
       "w.yaml:5: workload 'w', statement 's': parameter 'version' is "
       "declared but the sql has no {version} (a write sets version = "
       "{version})"},
      {head + "        sql: UPDATE t SET version = {version}\n"
              "        write: true\n        affects: [s]\n",
       "affects 's', which is a write: only reads are cached"},
      {head + "        sql: UPDATE t SET version = {version}\n"
              "        write: true\n        affects: [r]\n"
              "      - name: r\n        sql: SELECT * FROM t WHERE id = {id}\n"
              "        params:\n          id: {range: [1, 5]}\n",
       "w.yaml:7: workload 'w', statement 's': affects 'r', whose parameter "
       "'id' the write does not have"},
      {head + "        sql: UPDATE t SET version = {version} WHERE id = "
              "{version}\n        write: true\n        affects: [r]\n"
              "        params:\n          version: {range: [1, 5]}\n"
              "      - name: r\n        sql: SELECT 1\n",
       "w.yaml:9: workload 'w', statement 's': 'version' is not a parameter "
       "of a write"},
      {"workloads:\n  w:\n    statements:\n      - name: s\n        sql: "
       "SELECT 1\n  w:\n    statements:\n      - name: s\n        sql: "
       "SELECT 1\n",
       "w.yaml:6: workload 'w' is defined twice"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<WorkloadCatalog> catalog = Parse(c.text);
    ASSERT_FALSE(catalog.ok()) << c.text;
    EXPECT_EQ(catalog.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(catalog.status().message()), StartsWith("w.yaml:"))
        << c.text;
    EXPECT_THAT(std::string(catalog.status().message()), HasSubstr(c.error))
        << c.text;
  }
}

TEST(WorkloadFileTest, MissingAndOversizedFilesAreErrors) {
  absl::StatusOr<WorkloadCatalog> missing =
      LoadWorkloadFile("/nonexistent/workloads.yaml", kDemoSql);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("cannot read workload file /nonexistent/"));
  absl::StatusOr<ConfiguredWorkloads> explicit_missing =
      LoadConfiguredWorkloads("/nonexistent/workloads.yaml", kDemoSql);
  EXPECT_FALSE(explicit_missing.ok());
  const std::string big(kMaxWorkloadFileSize + 1, '#');
  absl::StatusOr<WorkloadCatalog> oversized = Parse(big);
  ASSERT_FALSE(oversized.ok());
  EXPECT_THAT(std::string(oversized.status().message()),
              HasSubstr("bytes long (at most 1048576)"));
}

// The file the programs install: every workload the README promises, each
// statement's parameters read from the seeded table.
TEST(WorkloadFileTest, TheShippedFileDefinesTheDocumentedWorkloads) {
  absl::StatusOr<WorkloadCatalog> catalog =
      LoadWorkloadFile(DBCACHE_SHIPPED_WORKLOADS, kDemoSql);
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  EXPECT_EQ(catalog->Names(),
            "demo, by_customer, product_page, category_stats, mixed");
  for (const WorkloadSpec& w : catalog->workloads()) {
    EXPECT_FALSE(w.description.empty()) << w.name;
    for (const StatementSpec& s : w.statements) {
      EXPECT_THAT(s.sql, HasSubstr(s.write ? "UPDATE reviews" : "FROM reviews"))
          << w.name;
    }
  }
  // mixed: three reads and a vote that names the one read showing it.
  const WorkloadSpec* mixed = catalog->Find("mixed");
  ASSERT_EQ(mixed->statements.size(), 4u);
  const StatementSpec& vote = mixed->statements[3];
  EXPECT_TRUE(vote.write);
  EXPECT_THAT(vote.sql, HasSubstr("version = {version}"));
  ASSERT_EQ(vote.affected.size(), 1u);
  EXPECT_EQ(vote.affected[0], (AffectedRead{0, {0}}));
  for (const StatementSpec& read : mixed->statements) {
    if (read.write || read.name == "latest_reviews") continue;
    // The vote's columns: a read that showed them would need to be in its
    // affects list.
    EXPECT_THAT(read.sql, Not(HasSubstr("helpful_votes"))) << read.name;
    EXPECT_THAT(read.sql, Not(HasSubstr("version"))) << read.name;
  }
}

}  // namespace
}  // namespace dbcache::run
