#ifndef DBCACHE_DAEMON_CONFIG_ENV_FILE_H_
#define DBCACHE_DAEMON_CONFIG_ENV_FILE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "daemon/config/settings.h"

namespace dbcache::config {

// The settings file of the user who runs the programs by hand: the same
// NAME=value lines as the environment (and as /etc/dbcache/dbcache.env for
// the services), read after the environment and before the defaults. It is
// how `dbcachectl status` in a new shell finds the stack scripts/demo.sh
// started, instead of a packaged Redis on 6379.
//
//   # ~/.config/dbcache/env
//   export REDIS_MASTER_PORT=16379
//   MYSQL_PASSWORD='s3cret'
//
// Its path: $DBCACHE_ENV_FILE (empty: no file), else
// $XDG_CONFIG_HOME/dbcache/env, else $HOME/.config/dbcache/env.
std::string EnvFilePath(const Environment& process_env);

struct EnvFile {
  std::map<std::string, std::string, std::less<>> values;
  // "line N: ..." for each line that is not NAME=value, a comment or blank.
  std::vector<std::string> problems;
};

// Parses the file's text: `NAME=value`, optionally after `export `, the value
// optionally in single or double quotes (no escapes inside); `#` comments and
// blank lines. A later line wins over an earlier one.
EnvFile ParseEnvFile(std::string_view text);

// Reads and parses `path`; NOT_FOUND when it does not exist.
absl::StatusOr<EnvFile> ReadEnvFile(const std::string& path);

// The process's environment, then the user's settings file; problems in the
// file are printed once on stderr, prefixed with `program`.
Environment EnvironmentWithUserFile(std::string_view program);

}  // namespace dbcache::config

#endif  // DBCACHE_DAEMON_CONFIG_ENV_FILE_H_
