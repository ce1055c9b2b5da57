#ifndef DBCACHE_DAEMON_COMMON_LOG_H_
#define DBCACHE_DAEMON_COMMON_LOG_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"

namespace dbcache {

// Log levels, ordered by severity. Lines go to stderr; when JOURNAL_STREAM is
// set (stderr is connected to journald) each line carries a syslog priority
// prefix such as
// "<4>" so `journalctl -p warning` works, and no timestamp (journald adds one).
//
//   dbcache::LogInfo("run %s started, %d queries", id, n);
enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
absl::StatusOr<LogLevel> ParseLogLevel(std::string_view text);
// Program name shown in each line (e.g. "dbcached").
void SetLogProgramName(std::string_view name);
void LogLine(LogLevel level, std::string_view message);

template <typename... Args>
void LogDebug(const absl::FormatSpec<Args...>& format, const Args&... args) {
  if (GetLogLevel() <= LogLevel::kDebug) {
    LogLine(LogLevel::kDebug, absl::StrFormat(format, args...));
  }
}
template <typename... Args>
void LogInfo(const absl::FormatSpec<Args...>& format, const Args&... args) {
  if (GetLogLevel() <= LogLevel::kInfo) {
    LogLine(LogLevel::kInfo, absl::StrFormat(format, args...));
  }
}
template <typename... Args>
void LogWarning(const absl::FormatSpec<Args...>& format, const Args&... args) {
  if (GetLogLevel() <= LogLevel::kWarning) {
    LogLine(LogLevel::kWarning, absl::StrFormat(format, args...));
  }
}
template <typename... Args>
void LogError(const absl::FormatSpec<Args...>& format, const Args&... args) {
  LogLine(LogLevel::kError, absl::StrFormat(format, args...));
}

}  // namespace dbcache

#endif  // DBCACHE_DAEMON_COMMON_LOG_H_
