#ifndef DBCACHE_DAEMON_CONFIG_SETTINGS_H_
#define DBCACHE_DAEMON_CONFIG_SETTINGS_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/mysql/tls_mode.h"

namespace dbcache::config {

// Where the daemon reads cached values from: the replica (as the original demo
// did, through the reader endpoint) or the primary.
enum class CacheReads { kReader, kPrimary };

struct Endpoint {
  std::string host;
  int port = 0;
};

// Every setting of every dbcache program, resolved once at start-up from, in
// order of precedence, command-line flags, the environment, and built-in
// defaults.
//
//   absl::StatusOr<Settings> settings = ResolveFromProcess();
//   if (!settings.ok()) { /* print settings.status().message(), exit 2 */ }
//   Connect(settings->redis_primary.host, settings->redis_primary.port);
struct Settings {
  Endpoint redis_primary;
  Endpoint redis_reader;
  std::string redis_username;  // ACL user; empty means the default user.
  std::string redis_password;  // Secret.
  std::string mysql_host;
  int mysql_port = 0;
  std::string mysql_user;
  std::string mysql_password;  // Secret.
  std::string mysql_database;
  mysql::TlsOptions mysql_tls;
  std::string sql_template;  // Holds exactly one "{}" for the LIMIT value.
  // The workload file; empty: the default (workload_file.h).
  std::string workloads_path;
  std::string prefix;  // Prefix of every Redis name, e.g. "dbcache:".
  CacheReads cache_reads = CacheReads::kReader;
  // While the reader is down: read from the primary (true) or count errors.
  bool reader_fallback = true;
  int mysql_pool_max = 0;
  // How often a running run's snapshot is published; zero: only at start and
  // end (for benchmarks that measure what the bookkeeping costs).
  absl::Duration snapshot_interval;
  absl::Duration connect_timeout;
  absl::Duration command_timeout;
  absl::Duration query_timeout;
  absl::Duration redis_ping_interval;
  // Connections idle this long are probed before a run (the server may have
  // closed them: wait_timeout, a failover).
  absl::Duration mysql_idle_probe;
  Endpoint web_listen;
  std::string web_token;  // Secret.
  // Comma-separated; see web/host_check.h.
  std::string web_allowed_hosts;
  std::string log_level;

  // A Redis name under the configured prefix: Key("stats") == "dbcache:stats".
  std::string Key(std::string_view suffix) const;
};

// Which programs a setting concerns; --help shows only a program's own
// settings.
enum SettingGroup : unsigned {
  kGroupRedis = 1u << 0,
  kGroupMysql = 1u << 1,
  kGroupRun = 1u << 2,
  kGroupWeb = 1u << 3,
  kGroupCommon = 1u << 4,
  kGroupAll = 0xffu,
};

// Describes one setting: its flag, the environment names read for it (first
// found wins, clearer names before the original demo's), its default and
// whether it is a secret (never printed).
struct SettingSpec {
  std::string_view flag;
  std::vector<std::string_view> env;
  std::string_view default_value;  // Empty: no value, or derived (see help).
  bool secret;
  unsigned groups;
  std::string_view help;
};

const std::vector<SettingSpec>& SettingSpecs();

// Flag values given on the command line, by flag name; absent means not given.
using FlagValues = std::map<std::string, std::string, std::less<>>;
// Looks up an environment variable; nullopt when unset.
using Environment = std::function<std::optional<std::string>(std::string_view)>;

// Resolves and validates every setting. Errors name the flag and, when the
// value came from the environment, the variable: "--mysql_port (from
// MYSQL_PORT): 'x' is not ...".
absl::StatusOr<Settings> Resolve(const FlagValues& flags,
                                 const Environment& env);

// The CA of a verifying --mysql_ssl_mode can be read, for the programs that
// connect to MySQL (dbcached, dbcachectl seed): found at start rather than at
// the first connect. Not part of Resolve: dbcache-web reads the same settings
// and needs no CA.
absl::Status CheckMysqlTlsCa(const Settings& settings);

// The process's environment (getenv).
Environment ProcessEnvironment();

// "name = value (source)" lines for every setting in `groups`, secrets as
// "***".
std::string Describe(const Settings& settings, unsigned groups);

}  // namespace dbcache::config

#endif  // DBCACHE_DAEMON_CONFIG_SETTINGS_H_
