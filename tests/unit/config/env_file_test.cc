// The user's settings file: its lines, its path, and its place between the
// environment and the defaults.
#include "daemon/config/env_file.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::config {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

Environment Fake(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(EnvFileTest, LinesAsLocalStackEnvPrintsThemAndAsSystemdReadsThem) {
  const EnvFile file = ParseEnvFile(
      "# written by scripts/demo.sh\n"
      "export REDIS_MASTER_PORT=16379\n"
      "  MYSQL_PASSWORD='a b#c'  \n"
      "MYSQL_USER=\"dbcache\"\n"
      "MYSQL_DATABASE=a\\ b\\$c\n"
      "\n"
      "DBCACHE_PREFIX=\n"
      "REDIS_MASTER_PORT=16380\n"
      "not a setting\n"
      "9LIVES=1\n"
      "=x\n");
  EXPECT_THAT(file.values, ElementsAre(Pair("DBCACHE_PREFIX", ""),
                                       Pair("MYSQL_DATABASE", "a b$c"),
                                       Pair("MYSQL_PASSWORD", "a b#c"),
                                       Pair("MYSQL_USER", "dbcache"),
                                       Pair("REDIS_MASTER_PORT", "16380")));
  EXPECT_THAT(file.problems, ElementsAre("line 9: not NAME=value (ignored)",
                                         "line 10: not NAME=value (ignored)",
                                         "line 11: not NAME=value (ignored)"));
}

TEST(EnvFileTest, PathFromTheVariableThenXdgThenHome) {
  EXPECT_EQ(
      EnvFilePath(Fake({{"DBCACHE_ENV_FILE", "/etc/x"}, {"HOME", "/home/u"}})),
      "/etc/x");
  EXPECT_EQ(EnvFilePath(Fake({{"DBCACHE_ENV_FILE", ""}, {"HOME", "/home/u"}})),
            "");
  EXPECT_EQ(EnvFilePath(Fake({{"XDG_CONFIG_HOME", "/cfg"}, {"HOME", "/h"}})),
            "/cfg/dbcache/env");
  EXPECT_EQ(EnvFilePath(Fake({{"XDG_CONFIG_HOME", ""}, {"HOME", "/home/u"}})),
            "/home/u/.config/dbcache/env");
  EXPECT_EQ(EnvFilePath(Fake({})), "");
}

TEST(EnvFileTest, TheEnvironmentWinsOverTheFileAndTheFileOverDefaults) {
  char path[] = "/tmp/dbcache-env-file-test-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "REDIS_MASTER_PORT=16379\nMYSQL_PORT=13306\n"
                         "REDIS_READER_PORT=16380\n";
  setenv("DBCACHE_ENV_FILE", path, 1);
  setenv("MYSQL_PORT", "3307", 1);
  unsetenv("REDIS_MASTER_PORT");
  unsetenv("REDIS_READER_PORT");
  unsetenv("REDIS_PORT");
  {
    const Environment env = EnvironmentWithUserFile("env_file_test");
    EXPECT_EQ(env("REDIS_MASTER_PORT"), "16379");
    EXPECT_EQ(env("MYSQL_PORT"), "3307");
    EXPECT_EQ(env("MYSQL_HOST"), std::nullopt);
    absl::StatusOr<Settings> settings = Resolve({}, env);
    ASSERT_TRUE(settings.ok()) << settings.status();
    EXPECT_EQ(settings->redis_primary.port, 16379);
    EXPECT_EQ(settings->redis_reader.port, 16380);
    EXPECT_EQ(settings->mysql_port, 3307);
  }
  // Another name of the same setting in the environment beats the file.
  setenv("REDIS_PORT", "6390", 1);
  {
    const Environment env = EnvironmentWithUserFile("env_file_test");
    EXPECT_EQ(env("REDIS_MASTER_PORT"), std::nullopt);
    absl::StatusOr<Settings> settings = Resolve({}, env);
    ASSERT_TRUE(settings.ok()) << settings.status();
    EXPECT_EQ(settings->redis_primary.port, 6390);
  }
  unsetenv("REDIS_PORT");
  unsetenv("MYSQL_PORT");
  unsetenv("DBCACHE_ENV_FILE");
  std::remove(path);
  EXPECT_TRUE(absl::IsNotFound(ReadEnvFile(path).status()));
}

}  // namespace
}  // namespace dbcache::config
