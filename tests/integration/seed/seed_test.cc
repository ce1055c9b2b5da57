// Integration tests of `dbcachectl seed` / `verify`, run as a subprocess
// against the MariaDB of the `local_stack` ctest fixture (see
// tests/integration/CMakeLists.txt).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "daemon/ctl/mysql_session.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

extern char** environ;

namespace dbcache::ctl {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The environment the fixture gives integration tests, or else what the build
// and the stack folder say: the port as `local-stack.sh start` recorded it.
std::string BinDir() {
  const std::string dir = Env("DBCACHE_BIN_DIR");
  return dir.empty() ? DBCACHE_TEST_BIN_DIR : dir;
}

std::string MysqlPort() {
  std::string port = Env("DBCACHE_MYSQL_PORT");
  if (!port.empty()) return port;
  std::ifstream in(Env("DBCACHE_STACK_DIR") + "/stack.env");
  for (std::string line; std::getline(in, line);) {
    absl::string_view view = line;
    if (absl::ConsumePrefix(&view, "DBCACHE_MYSQL_PORT="))
      port = std::string(view);
  }
  return port;
}

// Runs bin/dbcachectl with `args`, capturing its output through temporary
// files.
Outcome RunCtl(const std::vector<std::string>& args) {
  const std::string binary = BinDir() + "/dbcachectl";
  char out_path[] = "/tmp/dbcachectl-out-XXXXXX";
  char err_path[] = "/tmp/dbcachectl-err-XXXXXX";
  const int out_fd = mkstemp(out_path);
  const int err_fd = mkstemp(err_path);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  std::vector<std::string> argv_strings = {binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  Outcome outcome;
  pid_t pid = 0;
  if (posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(),
                  environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  close(out_fd);
  close(err_fd);
  outcome.out = ReadFile(out_path);
  outcome.err = ReadFile(err_path);
  unlink(out_path);
  unlink(err_path);
  return outcome;
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(absl::StripSuffix(text, "\n"), '\n', absl::SkipEmpty());
}

// `verify`'s "key=value ..." line as a map-like lookup.
std::string Field(const std::string& verify_line, absl::string_view key) {
  for (absl::string_view part : absl::StrSplit(verify_line, ' ')) {
    if (absl::ConsumePrefix(&part, absl::StrCat(key, "="))) {
      return std::string(absl::StripSuffix(part, "\n"));
    }
  }
  return "";
}

// Named `seed` (not SeedTest) so that ctest lists these as integration.seed.*,
// beside integration.stack.*.
class seed : public ::testing::Test {  // NOLINT(readability-identifier-naming)
 protected:
  static void SetUpTestSuite() {
    const std::string stack = Env("DBCACHE_STACK_DIR");
    ASSERT_FALSE(stack.empty())
        << "run through ctest: DBCACHE_STACK_DIR is unset";
    std::string password = ReadFile(stack + "/mysql.password");
    while (!password.empty() && password.back() == '\n') password.pop_back();
    ASSERT_FALSE(password.empty()) << "no " << stack << "/mysql.password";
    // dbcachectl reads these; so does Session() below.
    setenv("MYSQL_HOST", "127.0.0.1", 1);
    ASSERT_FALSE(MysqlPort().empty()) << "no port in " << stack << "/stack.env";
    setenv("MYSQL_PORT", MysqlPort().c_str(), 1);
    setenv("MYSQL_USER", "dbcache", 1);
    setenv("MYSQL_PASSWORD", password.c_str(), 1);
    setenv("MYSQL_DATABASE", "reviews", 1);
  }

  // Each test starts from no table, whatever earlier tests (or runs) left.
  void SetUp() override {
    MysqlSession session = Session();
    DropAll(session);
  }

  static MysqlSession Session() {
    MysqlOptions options;
    options.host = "127.0.0.1";
    EXPECT_TRUE(absl::SimpleAtoi(MysqlPort(), &options.port));
    options.user = "dbcache";
    options.password = Env("MYSQL_PASSWORD");
    absl::StatusOr<MysqlSession> session = MysqlSession::Connect(options);
    EXPECT_TRUE(session.ok()) << session.status();
    if (!session.ok()) std::abort();
    EXPECT_TRUE(session->Execute("CREATE DATABASE IF NOT EXISTS reviews").ok());
    EXPECT_TRUE(session->SelectDatabase("reviews").ok());
    return *std::move(session);
  }

  static std::string Value(MysqlSession& session, std::string_view sql) {
    absl::StatusOr<std::optional<std::string>> value = session.QueryValue(sql);
    EXPECT_TRUE(value.ok()) << value.status();
    return value.ok() ? value->value_or("NULL") : "ERROR";
  }

  static Outcome Seed(int rows, int seed_value,
                      std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"seed", "--rows=" + std::to_string(rows),
                                     "--seed=" + std::to_string(seed_value)};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCtl(args);
  }

  static void DropAll(MysqlSession& session) {
    ASSERT_TRUE(
        session.Execute("DROP TABLE IF EXISTS reviews, reviews_meta").ok());
  }
};

TEST_F(seed, LoadsExactlyNRowsWithUniqueReviewIds) {
  const Outcome outcome = Seed(3000, 11);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("seeded 3000 rows"));
  MysqlSession session = Session();
  EXPECT_EQ(Value(session, "SELECT COUNT(*) FROM reviews"), "3000");
  EXPECT_EQ(Value(session, "SELECT COUNT(DISTINCT review_id) FROM reviews"),
            "3000");
  EXPECT_EQ(Value(session,
                  "SELECT COUNT(*) FROM information_schema.TABLES WHERE "
                  "TABLE_SCHEMA = 'reviews' AND TABLE_NAME IN "
                  "('reviews_new', 'reviews_old')"),
            "0");
  EXPECT_EQ(Value(session,
                  "SELECT CONCAT(row_count, '/', seed) FROM reviews_meta "
                  "WHERE table_name = 'reviews'"),
            "3000/11");
  // The indexes the daemon's lookups need.
  EXPECT_EQ(Value(session,
                  "SELECT COUNT(DISTINCT INDEX_NAME) FROM "
                  "information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                  "'reviews' AND TABLE_NAME = 'reviews' AND INDEX_NAME IN "
                  "('PRIMARY', 'review_id', 'customer_id', 'product_id')"),
            "4");
}

TEST_F(seed, SameSeedGivesSameContentAfterADrop) {
  ASSERT_EQ(Seed(2500, 5).exit_code, 0);
  const Outcome first = RunCtl({"verify"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string table_checksum = Field(first.out, "table_checksum");
  const std::string data_checksum = Field(first.out, "data_checksum");
  EXPECT_THAT(table_checksum, MatchesRegex("[0-9]+"));
  EXPECT_THAT(data_checksum, MatchesRegex("[0-9a-f]{16}"));

  MysqlSession session = Session();
  DropAll(session);
  ASSERT_EQ(Seed(2500, 5).exit_code, 0);
  const Outcome again = RunCtl({"verify"});
  EXPECT_EQ(Field(again.out, "table_checksum"), table_checksum);
  EXPECT_EQ(Field(again.out, "data_checksum"), data_checksum);

  // INSERTs load the same rows as LOAD DATA.
  DropAll(session);
  const Outcome inserted = Seed(2500, 5, {"--load_method=insert"});
  ASSERT_EQ(inserted.exit_code, 0) << inserted.err;
  EXPECT_THAT(inserted.out, HasSubstr("via insert"));
  EXPECT_EQ(Field(RunCtl({"verify"}).out, "table_checksum"), table_checksum);

  // Another seed, other content.
  ASSERT_EQ(Seed(2500, 6).exit_code, 0);
  EXPECT_NE(Field(RunCtl({"verify"}).out, "table_checksum"), table_checksum);
}

TEST_F(seed, ReseedWithSameRowsAndSeedIsANoOp) {
  ASSERT_EQ(Seed(2000, 3).exit_code, 0);
  MysqlSession session = Session();
  // A mark that only this table carries: a replaced table would lose it.
  ASSERT_TRUE(
      session.Execute("ALTER TABLE reviews COMMENT = 'noop-marker'").ok());
  const std::string loaded_at =
      Value(session,
            "SELECT loaded_at FROM reviews_meta WHERE table_name = 'reviews'");

  const Outcome again = Seed(2000, 3);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("nothing to do"));
  EXPECT_EQ(Value(session,
                  "SELECT TABLE_COMMENT FROM information_schema.TABLES "
                  "WHERE TABLE_SCHEMA = 'reviews' AND TABLE_NAME = "
                  "'reviews'"),
            "noop-marker");
  EXPECT_EQ(
      Value(session,
            "SELECT loaded_at FROM reviews_meta WHERE table_name = 'reviews'"),
      loaded_at);
}

// A table an older dbcachectl loaded (no version column, no workload
// indexes) gets them, keeps its rows, and the next seed has nothing to do.
TEST_F(seed, AnOlderTableGetsTheWorkloadSchemaAndKeepsItsRows) {
  ASSERT_EQ(Seed(2000, 6).exit_code, 0);
  MysqlSession session = Session();
  auto schema = [&] {
    return Value(session,
                 "SELECT CONCAT((SELECT GROUP_CONCAT(DISTINCT INDEX_NAME ORDER "
                 "BY INDEX_NAME) FROM information_schema.STATISTICS WHERE "
                 "TABLE_SCHEMA = 'reviews' AND TABLE_NAME = 'reviews'), ' / ', "
                 "(SELECT COUNT(*) FROM information_schema.COLUMNS WHERE "
                 "TABLE_SCHEMA = 'reviews' AND TABLE_NAME = 'reviews' AND "
                 "COLUMN_NAME = 'version'))");
  };
  const std::string full = schema();
  EXPECT_EQ(full,
            "customer_id,PRIMARY,product_category,product_date,product_id,"
            "review_id / 1");
  EXPECT_EQ(Value(session, "SELECT COUNT(*) FROM reviews WHERE version = 1"),
            "2000");
  ASSERT_TRUE(session
                  .Execute("ALTER TABLE reviews DROP COLUMN version, DROP "
                           "INDEX product_date, DROP INDEX product_category, "
                           "COMMENT = 'older-table'")
                  .ok());
  ASSERT_TRUE(session
                  .Execute("UPDATE reviews SET helpful_votes = 77 WHERE id "
                           "= 5")
                  .ok());

  const Outcome upgraded = Seed(2000, 6);
  ASSERT_EQ(upgraded.exit_code, 0) << upgraded.err;
  EXPECT_THAT(upgraded.out, HasSubstr("already holds the 2000 rows of seed 6"));
  EXPECT_THAT(upgraded.out, HasSubstr("added 3 of the named workloads'"));
  EXPECT_EQ(schema(), full);
  // The same table, rows and all: not reloaded.
  EXPECT_EQ(Value(session, "SELECT helpful_votes FROM reviews WHERE id = 5"),
            "77");
  EXPECT_EQ(Value(session,
                  "SELECT TABLE_COMMENT FROM information_schema.TABLES "
                  "WHERE TABLE_SCHEMA = 'reviews' AND TABLE_NAME = "
                  "'reviews'"),
            "older-table");
  EXPECT_EQ(Value(session, "SELECT COUNT(*) FROM reviews WHERE version = 1"),
            "2000");

  const Outcome again = Seed(2000, 6);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("nothing to do"));
}

TEST_F(seed, ReseedAfterTamperingReloads) {
  ASSERT_EQ(Seed(2000, 4).exit_code, 0);
  MysqlSession session = Session();
  ASSERT_TRUE(session.Execute("DELETE FROM reviews WHERE id = 1").ok());
  const Outcome verify = RunCtl({"verify"});
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_THAT(verify.err, HasSubstr("has 1999 rows but was seeded with 2000"));

  const Outcome again = Seed(2000, 4);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("seeded 2000 rows"));
  EXPECT_EQ(Value(session, "SELECT COUNT(*) FROM reviews"), "2000");
  EXPECT_EQ(RunCtl({"verify"}).exit_code, 0);
}

TEST_F(seed, DifferentRowCountReplacesTheTable) {
  ASSERT_EQ(Seed(2000, 8).exit_code, 0);
  MysqlSession session = Session();
  ASSERT_TRUE(
      session.Execute("ALTER TABLE reviews COMMENT = 'old-table'").ok());
  const std::string first_review =
      Value(session, "SELECT review_id FROM reviews WHERE id = 1");

  const Outcome bigger = Seed(3500, 8);
  ASSERT_EQ(bigger.exit_code, 0) << bigger.err;
  EXPECT_THAT(bigger.out, HasSubstr("seeded 3500 rows"));
  EXPECT_EQ(Value(session, "SELECT COUNT(*) FROM reviews"), "3500");
  EXPECT_EQ(Value(session, "SELECT COUNT(DISTINCT review_id) FROM reviews"),
            "3500");
  EXPECT_NE(Value(session,
                  "SELECT TABLE_COMMENT FROM information_schema.TABLES "
                  "WHERE TABLE_SCHEMA = 'reviews' AND TABLE_NAME = "
                  "'reviews'"),
            "old-table");
  // Rows depend on (seed, index) only: the first rows stay the same.
  EXPECT_EQ(Value(session, "SELECT review_id FROM reviews WHERE id = 1"),
            first_review);

  ASSERT_EQ(Seed(1500, 8).exit_code, 0);
  EXPECT_EQ(Value(session, "SELECT COUNT(*) FROM reviews"), "1500");
  EXPECT_EQ(Value(session, "SELECT COUNT(*) FROM reviews_meta"), "1");
}

TEST_F(seed, BadPasswordIsOneLineNamingTheEndpoint) {
  const Outcome outcome = Seed(100, 1, {"--mysql_password=not-the-password"});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_THAT(outcome.out, IsEmpty());
  ASSERT_EQ(Lines(outcome.err).size(), 1u) << outcome.err;
  EXPECT_THAT(outcome.err,
              HasSubstr("dbcachectl: cannot connect to MySQL at 127.0.0.1:" +
                        MysqlPort() + " as user 'dbcache': "));
  EXPECT_THAT(outcome.err, HasSubstr("Access denied"));
}

TEST_F(seed, BadPortIsOneLineNamingTheEndpoint) {
  // Port 1 (tcpmux) has no listener on a test machine.
  const Outcome outcome = Seed(100, 1, {"--mysql_port=1"});
  EXPECT_EQ(outcome.exit_code, 1);
  ASSERT_EQ(Lines(outcome.err).size(), 1u) << outcome.err;
  EXPECT_THAT(outcome.err,
              HasSubstr("dbcachectl: cannot connect to MySQL at 127.0.0.1:1 as "
                        "user 'dbcache': "));
}

TEST_F(seed, BadUserIsOneLineNamingTheUser) {
  const Outcome outcome = Seed(100, 1, {"--mysql_user=nobody_here"});
  EXPECT_EQ(outcome.exit_code, 1);
  ASSERT_EQ(Lines(outcome.err).size(), 1u) << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("as user 'nobody_here': Access denied"));
}

TEST_F(seed, CommandLineErrorsExitTwo) {
  EXPECT_EQ(RunCtl({}).exit_code, 2);
  const Outcome unknown = RunCtl({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown command 'frobnicate'"));
  EXPECT_EQ(Seed(0, 1).exit_code, 2);
  EXPECT_EQ(Seed(100000001, 1).exit_code, 2);
  const Outcome help = RunCtl({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, ContainsRegex("\n  seed "));
}

TEST_F(seed, HundredThousandRowsReportsTheTime) {
  const Outcome outcome = Seed(100000, 1);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  const std::vector<std::string> lines = Lines(outcome.out);
  ASSERT_EQ(lines.size(), 1u) << outcome.out;
  // No claim about the time itself: this machine may be busy with other tests.
  EXPECT_THAT(lines[0],
              ContainsRegex("^seeded 100000 rows in [0-9]+\\.[0-9]+ s "
                            "\\([0-9]+ rows/s\\)"));
  MysqlSession session = Session();
  EXPECT_EQ(Value(session, "SELECT COUNT(*) FROM reviews"), "100000");
}

}  // namespace
}  // namespace dbcache::ctl
