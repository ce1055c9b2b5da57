#include "daemon/config/command_line.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "daemon/common/log.h"
#include "daemon/common/str_cat.h"
#include "daemon/config/env_file.h"

// Every setting is an optional string flag: "not given" must be distinguishable
// from a given value so that the environment can fill the gap. Help text and
// defaults live in SettingSpecs(); the strings here are only what Abseil's own
// tooling would show.
#define DBCACHE_SETTING_FLAG(name) \
  ABSL_FLAG(std::optional<std::string>, name, std::nullopt, "see --help")

DBCACHE_SETTING_FLAG(redis_host);
DBCACHE_SETTING_FLAG(redis_port);
DBCACHE_SETTING_FLAG(redis_reader_host);
DBCACHE_SETTING_FLAG(redis_reader_port);
DBCACHE_SETTING_FLAG(redis_username);
DBCACHE_SETTING_FLAG(redis_password);
DBCACHE_SETTING_FLAG(mysql_host);
DBCACHE_SETTING_FLAG(mysql_port);
DBCACHE_SETTING_FLAG(mysql_user);
DBCACHE_SETTING_FLAG(mysql_password);
DBCACHE_SETTING_FLAG(mysql_database);
DBCACHE_SETTING_FLAG(mysql_ssl_mode);
DBCACHE_SETTING_FLAG(mysql_ssl_ca);
DBCACHE_SETTING_FLAG(sql);
DBCACHE_SETTING_FLAG(workloads);
DBCACHE_SETTING_FLAG(prefix);
DBCACHE_SETTING_FLAG(cache_reads);
DBCACHE_SETTING_FLAG(reader_fallback);
DBCACHE_SETTING_FLAG(mysql_pool_max);
DBCACHE_SETTING_FLAG(snapshot_interval_ms);
DBCACHE_SETTING_FLAG(connect_timeout_ms);
DBCACHE_SETTING_FLAG(command_timeout_ms);
DBCACHE_SETTING_FLAG(redis_ping_interval_ms);
DBCACHE_SETTING_FLAG(query_timeout_ms);
DBCACHE_SETTING_FLAG(mysql_idle_probe_ms);
DBCACHE_SETTING_FLAG(listen);
DBCACHE_SETTING_FLAG(web_token);
DBCACHE_SETTING_FLAG(allowed_hosts);
DBCACHE_SETTING_FLAG(log_level);

namespace dbcache::config {

FlagValues CommandLineFlagValues() {
  FlagValues values;
  auto add = [&values](std::string_view name,
                       const absl::Flag<std::optional<std::string>>& flag) {
    std::optional<std::string> value = absl::GetFlag(flag);
    if (value.has_value()) values.emplace(std::string(name), *std::move(value));
  };
  add("redis_host", FLAGS_redis_host);
  add("redis_port", FLAGS_redis_port);
  add("redis_reader_host", FLAGS_redis_reader_host);
  add("redis_reader_port", FLAGS_redis_reader_port);
  add("redis_username", FLAGS_redis_username);
  add("redis_password", FLAGS_redis_password);
  add("mysql_host", FLAGS_mysql_host);
  add("mysql_port", FLAGS_mysql_port);
  add("mysql_user", FLAGS_mysql_user);
  add("mysql_password", FLAGS_mysql_password);
  add("mysql_database", FLAGS_mysql_database);
  add("mysql_ssl_mode", FLAGS_mysql_ssl_mode);
  add("mysql_ssl_ca", FLAGS_mysql_ssl_ca);
  add("sql", FLAGS_sql);
  add("workloads", FLAGS_workloads);
  add("prefix", FLAGS_prefix);
  add("cache_reads", FLAGS_cache_reads);
  add("reader_fallback", FLAGS_reader_fallback);
  add("mysql_pool_max", FLAGS_mysql_pool_max);
  add("snapshot_interval_ms", FLAGS_snapshot_interval_ms);
  add("connect_timeout_ms", FLAGS_connect_timeout_ms);
  add("command_timeout_ms", FLAGS_command_timeout_ms);
  add("redis_ping_interval_ms", FLAGS_redis_ping_interval_ms);
  add("query_timeout_ms", FLAGS_query_timeout_ms);
  add("mysql_idle_probe_ms", FLAGS_mysql_idle_probe_ms);
  add("listen", FLAGS_listen);
  add("web_token", FLAGS_web_token);
  add("allowed_hosts", FLAGS_allowed_hosts);
  add("log_level", FLAGS_log_level);
  return values;
}

std::string HelpText(const ProgramInfo& info) {
  std::string out = StrCat(info.synopsis, "\n");
  if (!info.extra_help.empty()) StrAppend(&out, "\n", info.extra_help);
  StrAppend(&out,
            "\nSettings (flag, then environment, then the settings file "
            "$DBCACHE_ENV_FILE or\n~/.config/dbcache/env, then default):\n");
  for (const SettingSpec& spec : SettingSpecs()) {
    if ((spec.groups & info.groups) == 0) continue;
    absl::StrAppendFormat(&out, "  --%-20s %s\n", spec.flag, spec.help);
    std::string detail = "env";
    for (size_t i = 0; i < spec.env.size(); ++i) {
      StrAppend(&detail, i == 0 ? " " : ", ", spec.env[i]);
    }
    if (spec.secret) {
      StrAppend(&detail, "; secret, never printed");
    } else if (!spec.default_value.empty()) {
      StrAppend(&detail, "; default ", spec.default_value);
    }
    absl::StrAppendFormat(&out, "  %-22s (%s)\n", "", detail);
  }
  StrAppend(&out,
            "\n  --help                 this text\n"
            "  --version              print the version\n");
  return out;
}

std::vector<std::string> ParseCommandLine(int argc, char** argv,
                                          const ProgramInfo& info) {
  SetLogProgramName(info.name);
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--help" || arg == "-h" || arg == "-help" ||
        arg == "--helpfull" || arg == "help") {
      std::fputs(HelpText(info).c_str(), stdout);
      std::exit(0);
    }
    if (arg == "--version" || arg == "-version") {
      std::printf("%s %s\n", std::string(info.name).c_str(), DBCACHE_VERSION);
      std::exit(0);
    }
  }
  // Flag names are snake_case, but people type --ttl-ms as often as --ttl_ms:
  // accept both by rewriting dashes in the name (never in the value).
  std::vector<std::string> normalized;
  normalized.reserve(argc);
  bool after_separator = false;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") after_separator = true;
    if (i > 0 && !after_separator && arg.size() > 2 &&
        arg.rfind("--", 0) == 0) {
      const size_t name_end = std::min(arg.find('='), arg.size());
      for (size_t j = 2; j < name_end; ++j) {
        if (arg[j] == '-') arg[j] = '_';
      }
    }
    normalized.push_back(std::move(arg));
  }
  std::vector<char*> pointers;
  for (std::string& arg : normalized) pointers.push_back(arg.data());
  std::vector<char*> positional = absl::ParseCommandLine(
      static_cast<int>(pointers.size()), pointers.data());
  return {positional.begin(), positional.end()};
}

Settings ResolveOrExit(const ProgramInfo& info) {
  absl::StatusOr<Settings> settings =
      Resolve(CommandLineFlagValues(), EnvironmentWithUserFile(info.name));
  if (!settings.ok()) {
    std::fprintf(stderr, "%s: %s\n", std::string(info.name).c_str(),
                 std::string(settings.status().message()).c_str());
    std::exit(2);
  }
  SetLogLevel(*ParseLogLevel(settings->log_level));
  return *std::move(settings);
}

}  // namespace dbcache::config
