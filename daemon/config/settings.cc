#include "daemon/config/settings.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "daemon/common/str_cat.h"

namespace dbcache::config {
namespace {

constexpr std::string_view kDefaultSql =
    "SELECT customer_id, review_id FROM reviews LIMIT {}";

// A raw value and where it came from, for error messages and Describe().
struct RawValue {
  std::optional<std::string> value;
  std::string source;  // "flag", "env NAME", "default"
};

class Resolver {
 public:
  Resolver(const FlagValues& flags, const Environment& env)
      : flags_(flags), env_(env) {}

  RawValue Raw(const SettingSpec& spec) const {
    if (auto it = flags_.find(spec.flag); it != flags_.end()) {
      return {it->second, "flag"};
    }
    for (std::string_view name : spec.env) {
      if (std::optional<std::string> value = env_(name); value.has_value()) {
        return {std::move(value), StrCat("env ", name)};
      }
    }
    if (spec.default_value.empty()) return {std::nullopt, "default"};
    return {std::string(spec.default_value), "default"};
  }

 private:
  const FlagValues& flags_;
  const Environment& env_;
};

const SettingSpec& Spec(std::string_view flag) {
  for (const SettingSpec& spec : SettingSpecs()) {
    if (spec.flag == flag) return spec;
  }
  std::abort();  // A typo in this file; every name below is in SettingSpecs().
}

std::string Where(const SettingSpec& spec, const RawValue& raw) {
  if (raw.source == "flag" || raw.source == "default") {
    return StrCat("--", spec.flag);
  }
  return StrCat("--", spec.flag, " (from ", raw.source.substr(4), ")");
}

absl::Status Invalid(const SettingSpec& spec, const RawValue& raw,
                     std::string_view why) {
  const std::string shown = spec.secret ? "***" : raw.value.value_or("");
  return absl::InvalidArgumentError(
      StrCat(Where(spec, raw), ": '", shown, "' ", why));
}

absl::StatusOr<std::string> String(const Resolver& r, std::string_view flag,
                                   bool allow_empty) {
  const SettingSpec& spec = Spec(flag);
  RawValue raw = r.Raw(spec);
  std::string value = raw.value.value_or("");
  if (!allow_empty && value.empty()) {
    return absl::InvalidArgumentError(
        StrCat(Where(spec, raw), ": must not be empty"));
  }
  if (value.find('\0') != std::string::npos) {
    return Invalid(spec, raw, "contains a NUL byte");
  }
  return value;
}

absl::StatusOr<int> Int(const Resolver& r, std::string_view flag, int min,
                        int max, std::string_view what) {
  const SettingSpec& spec = Spec(flag);
  RawValue raw = r.Raw(spec);
  int value = 0;
  const std::string text(absl::StripAsciiWhitespace(raw.value.value_or("")));
  if (!absl::SimpleAtoi(text, &value) || value < min || value > max) {
    return Invalid(spec, raw,
                   StrCat("is not ", what, " (", min, "..", max, ")"));
  }
  return value;
}

absl::StatusOr<std::string> Host(const Resolver& r, std::string_view flag,
                                 std::optional<std::string> fallback) {
  const SettingSpec& spec = Spec(flag);
  RawValue raw = r.Raw(spec);
  if (!raw.value.has_value() && fallback.has_value()) return *fallback;
  std::string value = raw.value.value_or("");
  if (value.empty()) {
    return absl::InvalidArgumentError(
        StrCat(Where(spec, raw), ": must not be empty"));
  }
  for (char c : value) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '/' ||
        !absl::ascii_isprint(static_cast<unsigned char>(c))) {
      return Invalid(spec, raw, "is not a host name or address");
    }
  }
  return value;
}

absl::StatusOr<int> Port(const Resolver& r, std::string_view flag,
                         std::optional<int> fallback) {
  const SettingSpec& spec = Spec(flag);
  if (!r.Raw(spec).value.has_value() && fallback.has_value()) return *fallback;
  return Int(r, flag, 1, 65535, "a port number");
}

absl::StatusOr<Endpoint> HostPort(const Resolver& r, std::string_view flag) {
  const SettingSpec& spec = Spec(flag);
  RawValue raw = r.Raw(spec);
  const std::string value = raw.value.value_or("");
  const size_t colon = value.rfind(':');
  Endpoint endpoint;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(value.substr(colon + 1), &endpoint.port) ||
      endpoint.port < 0 || endpoint.port > 65535) {
    // Port 0 asks the kernel for a free port; the program logs which it got.
    return Invalid(spec, raw, "is not HOST:PORT (e.g. 127.0.0.1:8080)");
  }
  endpoint.host = value.substr(0, colon);
  if (endpoint.host.size() > 2 && endpoint.host.front() == '[' &&
      endpoint.host.back() == ']') {
    endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
  }
  return endpoint;
}

#define DBCACHE_ASSIGN(lhs, expr)                           \
  do {                                                      \
    auto dbcache_value = (expr);                            \
    if (!dbcache_value.ok()) return dbcache_value.status(); \
    lhs = *std::move(dbcache_value);                        \
  } while (0)

}  // namespace

std::string Settings::Key(std::string_view suffix) const {
  return StrCat(prefix, suffix);
}

const std::vector<SettingSpec>& SettingSpecs() {
  static const auto* specs = new std::vector<SettingSpec>{
      {"redis_host",
       {"REDIS_MASTER_HOST", "REDIS_HOST"},
       "127.0.0.1",
       false,
       kGroupRedis,
       "Redis primary (ElastiCache primary endpoint) host"},
      {"redis_port",
       {"REDIS_MASTER_PORT", "REDIS_PORT"},
       "6379",
       false,
       kGroupRedis,
       "Redis primary port"},
      {"redis_reader_host",
       {"REDIS_READER_HOST"},
       "",
       false,
       kGroupRedis,
       "Redis reader (replica) host; default: the primary's"},
      {"redis_reader_port",
       {"REDIS_READER_PORT"},
       "",
       false,
       kGroupRedis,
       "Redis reader port; default: the primary's"},
      {"redis_username",
       {"REDIS_USERNAME"},
       "",
       false,
       kGroupRedis,
       "Redis ACL user name; default: the default user"},
      {"redis_password",
       {"REDIS_PASSWORD"},
       "",
       true,
       kGroupRedis,
       "Redis password (AUTH); default: none"},
      {"mysql_host",
       {"MYSQL_HOST", "HOST"},
       "127.0.0.1",
       false,
       kGroupMysql,
       "MySQL/MariaDB host (RDS/Aurora endpoint)"},
      {"mysql_port", {"MYSQL_PORT"}, "3306", false, kGroupMysql, "MySQL port"},
      {"mysql_user",
       {"MYSQL_USER"},
       "dbcache",
       false,
       kGroupMysql,
       "MySQL user (the demo's USER is not read: every shell sets it)"},
      {"mysql_password",
       {"MYSQL_PASSWORD", "PASS"},
       "",
       true,
       kGroupMysql,
       "MySQL password"},
      {"mysql_database",
       {"MYSQL_DATABASE", "DB"},
       "reviews",
       false,
       kGroupMysql,
       "MySQL database"},
      {"mysql_ssl_mode",
       {"MYSQL_SSL_MODE", "DBCACHE_MYSQL_SSL_MODE"},
       "preferred",
       false,
       kGroupMysql,
       "TLS to MySQL: disabled; preferred (when the server offers it, "
       "unverified); required (unverified); verify_ca (the server's "
       "certificate signed by --mysql_ssl_ca); verify_identity (and issued to "
       "--mysql_host). RDS: verify_identity with its CA bundle"},
      {"mysql_ssl_ca",
       {"MYSQL_SSL_CA", "DBCACHE_MYSQL_SSL_CA"},
       "",
       false,
       kGroupMysql,
       "CA bundle (PEM) for verify_ca and verify_identity; for RDS, "
       "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"},
      {"sql",
       {"SQL_QUERY_TEXT", "DBCACHE_SQL"},
       kDefaultSql,
       false,
       kGroupRun,
       "query template; its one {} becomes the LIMIT value n"},
      {"workloads",
       {"DBCACHE_WORKLOADS"},
       "",
       false,
       kGroupRun,
       "workload file (YAML) naming the workloads a run may pick; default: "
       "the installed share/dbcache/workloads.yaml, else the build's source "
       "tree's"},
      {"prefix",
       {"DBCACHE_PREFIX"},
       "dbcache:",
       false,
       kGroupRedis | kGroupCommon,
       "prefix of every Redis key and channel"},
      {"cache_reads",
       {"DBCACHE_CACHE_READS"},
       "reader",
       false,
       kGroupRun,
       "where cache GETs go: reader or primary"},
      {"reader_fallback",
       {"DBCACHE_READER_FALLBACK"},
       "primary",
       false,
       kGroupRun,
       "while the reader is down, cache reads go to: primary, or none "
       "(errors)"},
      {"snapshot_interval_ms",
       {"DBCACHE_SNAPSHOT_INTERVAL_MS"},
       "100",
       false,
       kGroupRun,
       "ms between stats snapshots during a run; 0: only at start and end"},
      {"mysql_pool_max",
       {"DBCACHE_MYSQL_POOL_MAX"},
       "16",
       false,
       kGroupRun,
       "most MySQL connections the daemon opens (1..1024)"},
      {"connect_timeout_ms",
       {"DBCACHE_CONNECT_TIMEOUT_MS"},
       "2000",
       false,
       kGroupCommon,
       "connect timeout for Redis and MySQL, ms"},
      {"command_timeout_ms",
       {"DBCACHE_COMMAND_TIMEOUT_MS"},
       "2000",
       false,
       kGroupRedis,
       "Redis command timeout, ms"},
      {"redis_ping_interval_ms",
       {"DBCACHE_REDIS_PING_INTERVAL_MS"},
       "5000",
       false,
       kGroupRedis,
       "ms between liveness probes on each Redis connection (PING; the "
       "subscriber: SUBSCRIBE again), each answered within the command "
       "timeout or the connection is reopened; 0: none"},
      {"query_timeout_ms",
       {"DBCACHE_QUERY_TIMEOUT_MS"},
       "10000",
       false,
       kGroupRun,
       "MySQL query timeout, ms"},
      {"mysql_idle_probe_ms",
       {"DBCACHE_MYSQL_IDLE_PROBE_MS"},
       "30000",
       false,
       kGroupRun,
       "before a run, probe (SELECT 1) MySQL connections idle this long, ms; "
       "0: every run"},
      {"listen",
       {"DBCACHE_WEB_LISTEN"},
       "127.0.0.1:8080",
       false,
       kGroupWeb,
       "address:port dbcache-web listens on (port 0: any free one, logged)"},
      {"web_token",
       {"DBCACHE_WEB_TOKEN"},
       "",
       true,
       kGroupWeb,
       "bearer token required by POST endpoints; default: none"},
      {"allowed_hosts",
       {"DBCACHE_WEB_ALLOWED_HOSTS"},
       "",
       false,
       kGroupWeb,
       "names the web's Host header may carry besides IP addresses and "
       "localhost, comma-separated (.corp.example: a domain; *: any); others "
       "get 403 (DNS rebinding)"},
      {"log_level",
       {"DBCACHE_LOG_LEVEL"},
       "info",
       false,
       kGroupCommon,
       "debug, info, warning or error"},
  };
  return *specs;
}

absl::StatusOr<Settings> Resolve(const FlagValues& flags,
                                 const Environment& env) {
  for (const auto& [name, unused] : flags) {
    bool known = false;
    for (const SettingSpec& spec : SettingSpecs()) known |= spec.flag == name;
    if (!known) {
      return absl::InvalidArgumentError(StrCat("unknown setting --", name));
    }
  }
  const Resolver r(flags, env);
  Settings s;
  DBCACHE_ASSIGN(s.redis_primary.host, Host(r, "redis_host", std::nullopt));
  DBCACHE_ASSIGN(s.redis_primary.port, Port(r, "redis_port", std::nullopt));
  DBCACHE_ASSIGN(s.redis_reader.host,
                 Host(r, "redis_reader_host", s.redis_primary.host));
  DBCACHE_ASSIGN(s.redis_reader.port,
                 Port(r, "redis_reader_port", s.redis_primary.port));
  DBCACHE_ASSIGN(s.redis_username, String(r, "redis_username", true));
  DBCACHE_ASSIGN(s.redis_password, String(r, "redis_password", true));
  if (!s.redis_username.empty() && s.redis_password.empty()) {
    return absl::InvalidArgumentError(
        "--redis_username is set but --redis_password (REDIS_PASSWORD) is not: "
        "an ACL user needs a password");
  }
  DBCACHE_ASSIGN(s.mysql_host, Host(r, "mysql_host", std::nullopt));
  DBCACHE_ASSIGN(s.mysql_port, Port(r, "mysql_port", std::nullopt));
  DBCACHE_ASSIGN(s.mysql_user, String(r, "mysql_user", false));
  DBCACHE_ASSIGN(s.mysql_password, String(r, "mysql_password", true));
  DBCACHE_ASSIGN(s.mysql_database, String(r, "mysql_database", false));
  for (char c : s.mysql_database) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '$') {
      return Invalid(Spec("mysql_database"), r.Raw(Spec("mysql_database")),
                     "is not a plain database name ([A-Za-z0-9_$]+)");
    }
  }
  {
    std::string mode;
    DBCACHE_ASSIGN(mode, String(r, "mysql_ssl_mode", false));
    const std::optional<mysql::TlsMode> parsed = mysql::ParseTlsMode(mode);
    if (!parsed.has_value()) {
      return Invalid(Spec("mysql_ssl_mode"), r.Raw(Spec("mysql_ssl_mode")),
                     "is not disabled, preferred, required, verify_ca or "
                     "verify_identity");
    }
    s.mysql_tls.mode = *parsed;
    DBCACHE_ASSIGN(s.mysql_tls.ca, String(r, "mysql_ssl_ca", true));
    const bool verifies = s.mysql_tls.mode >= mysql::TlsMode::kVerifyCa;
    if (verifies && s.mysql_tls.ca.empty()) {
      return absl::InvalidArgumentError(
          StrCat("--mysql_ssl_mode=", mode,
                 " needs --mysql_ssl_ca (MYSQL_SSL_CA): the CA bundle that "
                 "signed the server's certificate"));
    }
    if (!verifies && !s.mysql_tls.ca.empty()) {
      // Connector/C would check the chain anyway: say so rather than verify
      // half of what the mode's name promises not to.
      return absl::InvalidArgumentError(
          StrCat("--mysql_ssl_ca is set but --mysql_ssl_mode is ", mode,
                 ", which checks no certificate: use verify_ca or "
                 "verify_identity, or drop the CA"));
    }
  }
  DBCACHE_ASSIGN(s.sql_template, String(r, "sql", false));
  {
    const size_t first = s.sql_template.find("{}");
    if (first == std::string::npos ||
        s.sql_template.find("{}", first + 2) != std::string::npos) {
      return Invalid(Spec("sql"), r.Raw(Spec("sql")),
                     "must contain exactly one {} (the LIMIT value)");
    }
  }
  DBCACHE_ASSIGN(s.workloads_path, String(r, "workloads", true));
  DBCACHE_ASSIGN(s.prefix, String(r, "prefix", false));
  for (char c : s.prefix) {
    if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) {
      return Invalid(Spec("prefix"), r.Raw(Spec("prefix")),
                     "must be printable with no spaces");
    }
  }
  {
    std::string reads;
    DBCACHE_ASSIGN(reads, String(r, "cache_reads", false));
    if (reads == "reader") {
      s.cache_reads = CacheReads::kReader;
    } else if (reads == "primary") {
      s.cache_reads = CacheReads::kPrimary;
    } else {
      return Invalid(Spec("cache_reads"), r.Raw(Spec("cache_reads")),
                     "is not reader or primary");
    }
  }
  {
    std::string fallback;
    DBCACHE_ASSIGN(fallback, String(r, "reader_fallback", false));
    if (fallback == "primary") {
      s.reader_fallback = true;
    } else if (fallback == "none") {
      s.reader_fallback = false;
    } else {
      return Invalid(Spec("reader_fallback"), r.Raw(Spec("reader_fallback")),
                     "is not primary or none");
    }
  }
  DBCACHE_ASSIGN(s.mysql_pool_max,
                 Int(r, "mysql_pool_max", 1, 1024, "a pool size"));
  int ms = 0;
  DBCACHE_ASSIGN(ms,
                 Int(r, "snapshot_interval_ms", 0, 60000, "an interval in ms"));
  s.snapshot_interval = absl::Milliseconds(ms);
  DBCACHE_ASSIGN(ms,
                 Int(r, "connect_timeout_ms", 1, 600000, "a timeout in ms"));
  s.connect_timeout = absl::Milliseconds(ms);
  DBCACHE_ASSIGN(ms,
                 Int(r, "command_timeout_ms", 1, 600000, "a timeout in ms"));
  s.command_timeout = absl::Milliseconds(ms);
  DBCACHE_ASSIGN(
      ms, Int(r, "redis_ping_interval_ms", 0, 600000, "a duration in ms"));
  s.redis_ping_interval = absl::Milliseconds(ms);
  DBCACHE_ASSIGN(ms, Int(r, "query_timeout_ms", 1, 3600000, "a timeout in ms"));
  s.query_timeout = absl::Milliseconds(ms);
  DBCACHE_ASSIGN(
      ms, Int(r, "mysql_idle_probe_ms", 0, 86400000, "a duration in ms"));
  s.mysql_idle_probe = absl::Milliseconds(ms);
  DBCACHE_ASSIGN(s.web_listen, HostPort(r, "listen"));
  DBCACHE_ASSIGN(s.web_token, String(r, "web_token", true));
  DBCACHE_ASSIGN(s.web_allowed_hosts, String(r, "allowed_hosts", true));
  DBCACHE_ASSIGN(s.log_level, String(r, "log_level", false));
  const std::string level = absl::AsciiStrToLower(s.log_level);
  if (level != "debug" && level != "info" && level != "warning" &&
      level != "warn" && level != "error") {
    return Invalid(Spec("log_level"), r.Raw(Spec("log_level")),
                   "is not debug, info, warning or error");
  }
  return s;
}

absl::Status CheckMysqlTlsCa(const Settings& s) {
  if (s.mysql_tls.mode < mysql::TlsMode::kVerifyCa) return absl::OkStatus();
  if (access(s.mysql_tls.ca.c_str(), R_OK) == 0) return absl::OkStatus();
  return absl::InvalidArgumentError(StrCat("--mysql_ssl_ca=", s.mysql_tls.ca,
                                           ": cannot be read (",
                                           std::strerror(errno), ")"));
}

Environment ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::string Describe(const Settings& s, unsigned groups) {
  auto secret = [](const std::string& v) { return v.empty() ? "" : "***"; };
  const std::vector<std::pair<std::string_view, std::string>> values = {
      {"redis_host", s.redis_primary.host},
      {"redis_port", StrCat(s.redis_primary.port)},
      {"redis_reader_host", s.redis_reader.host},
      {"redis_reader_port", StrCat(s.redis_reader.port)},
      {"redis_username", s.redis_username},
      {"redis_password", secret(s.redis_password)},
      {"mysql_host", s.mysql_host},
      {"mysql_port", StrCat(s.mysql_port)},
      {"mysql_user", s.mysql_user},
      {"mysql_password", secret(s.mysql_password)},
      {"mysql_database", s.mysql_database},
      {"mysql_ssl_mode", std::string(mysql::TlsModeName(s.mysql_tls.mode))},
      {"mysql_ssl_ca", s.mysql_tls.ca},
      {"sql", s.sql_template},
      {"workloads", s.workloads_path.empty() ? "(default)" : s.workloads_path},
      {"prefix", s.prefix},
      {"cache_reads",
       s.cache_reads == CacheReads::kReader ? "reader" : "primary"},
      {"mysql_pool_max", StrCat(s.mysql_pool_max)},
      {"snapshot_interval_ms",
       StrCat(absl::ToInt64Milliseconds(s.snapshot_interval))},
      {"connect_timeout_ms",
       StrCat(absl::ToInt64Milliseconds(s.connect_timeout))},
      {"command_timeout_ms",
       StrCat(absl::ToInt64Milliseconds(s.command_timeout))},
      {"redis_ping_interval_ms",
       StrCat(absl::ToInt64Milliseconds(s.redis_ping_interval))},
      {"query_timeout_ms", StrCat(absl::ToInt64Milliseconds(s.query_timeout))},
      {"mysql_idle_probe_ms",
       StrCat(absl::ToInt64Milliseconds(s.mysql_idle_probe))},
      {"listen", StrCat(s.web_listen.host, ":", s.web_listen.port)},
      {"web_token", secret(s.web_token)},
      {"allowed_hosts", s.web_allowed_hosts},
      {"log_level", s.log_level},
  };
  std::string out;
  for (const auto& [flag, value] : values) {
    if ((Spec(flag).groups & groups) == 0) continue;
    StrAppend(&out, flag, " = ", value, "\n");
  }
  return out;
}

}  // namespace dbcache::config
