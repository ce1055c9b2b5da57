#include "daemon/config/settings.h"

#include <fstream>
#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A scripted environment: only the names given are set.
Environment FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](
             std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(SettingsTest, DefaultsWhenNothingIsSet) {
  absl::StatusOr<Settings> s = Resolve({}, FakeEnv({}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->redis_primary.host, "127.0.0.1");
  EXPECT_EQ(s->redis_primary.port, 6379);
  EXPECT_EQ(s->redis_reader.host, "127.0.0.1");
  EXPECT_EQ(s->redis_reader.port, 6379);
  EXPECT_EQ(s->mysql_port, 3306);
  EXPECT_EQ(s->mysql_user, "dbcache");
  EXPECT_EQ(s->mysql_database, "reviews");
  EXPECT_EQ(s->sql_template,
            "SELECT customer_id, review_id FROM reviews LIMIT {}");
  EXPECT_EQ(s->prefix, "dbcache:");
  EXPECT_EQ(s->Key("stats"), "dbcache:stats");
  EXPECT_EQ(s->cache_reads, CacheReads::kReader);
  EXPECT_TRUE(s->reader_fallback);
  EXPECT_EQ(s->mysql_pool_max, 16);
  EXPECT_EQ(s->web_listen.host, "127.0.0.1");
  EXPECT_EQ(s->web_listen.port, 8080);
  EXPECT_EQ(s->query_timeout, absl::Seconds(10));
  EXPECT_EQ(s->mysql_tls.mode, mysql::TlsMode::kPreferred);
  EXPECT_EQ(s->mysql_tls.ca, "");
}

TEST(SettingsTest, MysqlTlsModesAndTheirCa) {
  const std::string ca = ::testing::TempDir() + "/settings_test_ca.pem";
  std::ofstream(ca) << "-----BEGIN CERTIFICATE-----\n";
  absl::StatusOr<Settings> s = Resolve(
      {},
      FakeEnv({{"MYSQL_SSL_MODE", "VERIFY_IDENTITY"}, {"MYSQL_SSL_CA", ca}}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->mysql_tls.mode, mysql::TlsMode::kVerifyIdentity);
  EXPECT_EQ(s->mysql_tls.ca, ca);
  EXPECT_TRUE(CheckMysqlTlsCa(*s).ok());
  // A CA that cannot be read is found at start, not at the first connect.
  s = Resolve({{"mysql_ssl_mode", "verify_ca"},
               {"mysql_ssl_ca", "/nonexistent/ca.pem"}},
              FakeEnv({}));
  ASSERT_TRUE(s.ok()) << s.status();
  const absl::Status unreadable = CheckMysqlTlsCa(*s);
  EXPECT_THAT(unreadable.message(),
              HasSubstr("--mysql_ssl_ca=/nonexistent/ca.pem: cannot be read"));
  s = Resolve({{"mysql_ssl_mode", "required"}}, FakeEnv({}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->mysql_tls.mode, mysql::TlsMode::kRequired);

  s = Resolve({{"mysql_ssl_mode", "on"}}, FakeEnv({}));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(),
              HasSubstr("is not disabled, preferred, required, verify_ca or "
                        "verify_identity"));
  EXPECT_THAT(s.status().message(), HasSubstr("--mysql_ssl_mode"));
  // A verifying mode needs the CA; the others must not get one, which
  // Connector/C would use to check the chain after all.
  s = Resolve({{"mysql_ssl_mode", "verify_ca"}}, FakeEnv({}));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("needs --mysql_ssl_ca"));
  s = Resolve({}, FakeEnv({{"MYSQL_SSL_CA", "/etc/rds.pem"}}));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(),
              HasSubstr("--mysql_ssl_ca is set but --mysql_ssl_mode is "
                        "preferred"));
}

TEST(SettingsTest, FlagBeatsEnvironmentBeatsDefault) {
  const Environment env = FakeEnv({{"MYSQL_HOST", "env-host"},
                                   {"MYSQL_PORT", "4000"},
                                   {"REDIS_MASTER_PORT", "7000"}});
  absl::StatusOr<Settings> s = Resolve({{"mysql_host", "flag-host"}}, env);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->mysql_host, "flag-host");
  EXPECT_EQ(s->mysql_port, 4000);
  EXPECT_EQ(s->redis_primary.port, 7000);
}

TEST(SettingsTest, DemoNamesAreHonouredAndClearerNamesWin) {
  absl::StatusOr<Settings> demo =
      Resolve({}, FakeEnv({{"HOST", "demo-db"},
                           {"PASS", "demo-pass"},
                           {"DB", "demo_db"},
                           {"REDIS_MASTER_HOST", "primary.example"},
                           {"REDIS_READER_HOST", "reader.example"},
                           {"REDIS_READER_PORT", "6380"},
                           {"SQL_QUERY_TEXT", "SELECT 1 LIMIT {}"}}));
  ASSERT_TRUE(demo.ok()) << demo.status();
  EXPECT_EQ(demo->mysql_host, "demo-db");
  EXPECT_EQ(demo->mysql_password, "demo-pass");
  EXPECT_EQ(demo->mysql_database, "demo_db");
  EXPECT_EQ(demo->redis_primary.host, "primary.example");
  EXPECT_EQ(demo->redis_reader.host, "reader.example");
  EXPECT_EQ(demo->redis_reader.port, 6380);
  EXPECT_EQ(demo->sql_template, "SELECT 1 LIMIT {}");

  absl::StatusOr<Settings> both =
      Resolve({}, FakeEnv({{"HOST", "demo-db"}, {"MYSQL_HOST", "clear-db"}}));
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->mysql_host, "clear-db");
}

TEST(SettingsTest, UserIsNeverRead) {
  absl::StatusOr<Settings> s = Resolve({}, FakeEnv({{"USER", "alice"}}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->mysql_user, "dbcache");
}

TEST(SettingsTest, ReaderDefaultsToPrimary) {
  absl::StatusOr<Settings> s = Resolve(
      {{"redis_host", "10.0.0.5"}, {"redis_port", "16379"}}, FakeEnv({}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->redis_reader.host, "10.0.0.5");
  EXPECT_EQ(s->redis_reader.port, 16379);
}

struct BadCase {
  std::map<std::string, std::string> flags;
  std::map<std::string, std::string> env;
  std::string expected;  // substring of the message
};

class SettingsValidationTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(SettingsValidationTest, NamesTheSetting) {
  const BadCase& c = GetParam();
  FlagValues flags(c.flags.begin(), c.flags.end());
  absl::StatusOr<Settings> s = Resolve(flags, FakeEnv(c.env));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr(c.expected));
}

INSTANTIATE_TEST_SUITE_P(
    All, SettingsValidationTest,
    ::testing::Values(
        BadCase{
            {{"mysql_port", "abc"}}, {}, "--mysql_port: 'abc' is not a port"},
        BadCase{
            {}, {{"MYSQL_PORT", "70000"}}, "--mysql_port (from MYSQL_PORT)"},
        BadCase{{{"redis_port", "0"}}, {}, "--redis_port"},
        BadCase{{}, {{"REDIS_READER_PORT", "-1"}}, "--redis_reader_port"},
        BadCase{{{"redis_host", ""}}, {}, "--redis_host: must not be empty"},
        BadCase{{{"mysql_host", "a b"}}, {}, "is not a host name"},
        BadCase{{{"sql", "SELECT 1"}}, {}, "exactly one {}"},
        BadCase{
            {}, {{"SQL_QUERY_TEXT", "SELECT {} {}"}}, "(from SQL_QUERY_TEXT)"},
        BadCase{{{"cache_reads", "replica"}}, {}, "is not reader or primary"},
        BadCase{{{"mysql_pool_max", "0"}}, {}, "--mysql_pool_max"},
        BadCase{{},
                {{"DBCACHE_READER_FALLBACK", "maybe"}},
                "--reader_fallback (from DBCACHE_READER_FALLBACK): 'maybe' is "
                "not primary or none"},
        BadCase{{{"mysql_pool_max", "2000"}}, {}, "(1..1024)"},
        BadCase{{{"query_timeout_ms", "1.5"}}, {}, "--query_timeout_ms"},
        BadCase{{{"listen", "8080"}}, {}, "is not HOST:PORT"},
        BadCase{{{"listen", "127.0.0.1:99999"}}, {}, "is not HOST:PORT"},
        BadCase{{{"listen", "127.0.0.1:-1"}}, {}, "is not HOST:PORT"},
        BadCase{{{"log_level", "loud"}}, {}, "--log_level"},
        BadCase{{{"mysql_database", "x;drop"}}, {}, "plain database name"},
        BadCase{{{"prefix", "a b"}}, {}, "--prefix"},
        BadCase{{{"mysql_user", ""}}, {}, "--mysql_user: must not be empty"},
        BadCase{{{"redis_username", "app"}}, {}, "needs a password"},
        BadCase{{{"bogus", "1"}}, {}, "unknown setting --bogus"}));

TEST(SettingsTest, SecretsAreNeverEchoedInErrorsOrDescribe) {
  // A secret that fails validation (a NUL byte) is reported without its value.
  absl::StatusOr<Settings> bad =
      Resolve({{"mysql_password", std::string("hunter2\0x", 9)}}, FakeEnv({}));
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), Not(HasSubstr("hunter2")));
  EXPECT_THAT(bad.status().message(), HasSubstr("***"));

  absl::StatusOr<Settings> s = Resolve({{"mysql_password", "hunter2"},
                                        {"redis_password", "redis-secret"},
                                        {"web_token", "tok-secret"}},
                                       FakeEnv({}));
  ASSERT_TRUE(s.ok());
  const std::string described = Describe(*s, kGroupAll);
  EXPECT_THAT(described, Not(HasSubstr("hunter2")));
  EXPECT_THAT(described, Not(HasSubstr("redis-secret")));
  EXPECT_THAT(described, Not(HasSubstr("tok-secret")));
  EXPECT_THAT(described, HasSubstr("mysql_password = ***"));
  EXPECT_THAT(described, HasSubstr("mysql_host = 127.0.0.1"));
}

TEST(SettingsTest, DescribeShowsOnlyRequestedGroups) {
  absl::StatusOr<Settings> s = Resolve({}, FakeEnv({}));
  ASSERT_TRUE(s.ok());
  const std::string web_only = Describe(*s, kGroupWeb);
  EXPECT_THAT(web_only, HasSubstr("listen = 127.0.0.1:8080"));
  EXPECT_THAT(web_only, Not(HasSubstr("mysql_host")));
}

TEST(SettingsTest, EverySpecHasHelpAndAFlagName) {
  for (const SettingSpec& spec : SettingSpecs()) {
    EXPECT_FALSE(spec.flag.empty());
    EXPECT_FALSE(spec.help.empty()) << spec.flag;
    EXPECT_FALSE(spec.env.empty()) << spec.flag;
    if (spec.secret) {
      EXPECT_TRUE(spec.default_value.empty()) << spec.flag;
    }
  }
}

}  // namespace
}  // namespace dbcache::config
