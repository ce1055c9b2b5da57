#include "daemon/config/command_line.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CommandLineTest, HelpListsTheProgramsSettingsWithEnvAndDefaults) {
  const ProgramInfo info{"dbcached", "usage: dbcached [flags]",
                         kGroupRedis | kGroupMysql | kGroupRun | kGroupCommon};
  const std::string help = HelpText(info);
  EXPECT_THAT(help, HasSubstr("usage: dbcached"));
  EXPECT_THAT(help, HasSubstr("--mysql_host"));
  EXPECT_THAT(help, HasSubstr("MYSQL_HOST, HOST"));
  EXPECT_THAT(help, HasSubstr("default 127.0.0.1"));
  EXPECT_THAT(help, HasSubstr("--mysql_password"));
  EXPECT_THAT(help, HasSubstr("secret, never printed"));
  EXPECT_THAT(help, Not(HasSubstr("--listen")));  // a web-only setting
}

TEST(CommandLineTest, WebHelpShowsWebSettings) {
  const ProgramInfo info{"dbcache-web", "usage: dbcache-web",
                         kGroupRedis | kGroupWeb | kGroupCommon};
  const std::string help = HelpText(info);
  EXPECT_THAT(help, HasSubstr("--listen"));
  EXPECT_THAT(help, HasSubstr("DBCACHE_WEB_TOKEN"));
  EXPECT_THAT(help, Not(HasSubstr("--mysql_pool_max")));
}

}  // namespace
}  // namespace dbcache::config
