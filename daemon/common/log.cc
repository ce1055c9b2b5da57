#include "daemon/common/log.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace dbcache {
namespace {

LogLevel g_level = LogLevel::kInfo;
std::string& ProgramName() {
  static std::string* name = new std::string("dbcache");
  return *name;
}

bool ToJournal() {
  static const bool to_journal = std::getenv("JOURNAL_STREAM") != nullptr;
  return to_journal;
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = level; }
LogLevel GetLogLevel() { return g_level; }
void SetLogProgramName(std::string_view name) { ProgramName() = name; }

absl::StatusOr<LogLevel> ParseLogLevel(std::string_view text) {
  const std::string lower = absl::AsciiStrToLower(std::string(text));
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warning" || lower == "warn") return LogLevel::kWarning;
  if (lower == "error") return LogLevel::kError;
  return absl::InvalidArgumentError(absl::StrFormat(
      "'%s' is not a log level (debug, info, warning, error)", text));
}

void LogLine(LogLevel level, std::string_view message) {
  static constexpr char kLetters[] = {'D', 'I', 'W', 'E'};
  // syslog priorities: debug 7, info 6, warning 4, error 3.
  static constexpr int kPriorities[] = {7, 6, 4, 3};
  const int index = static_cast<int>(level);
  std::string line;
  if (ToJournal()) {
    line = absl::StrFormat("<%d>%s\n", kPriorities[index], message);
  } else {
    line = absl::StrFormat("%s %c %s: %s\n",
                           absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                            absl::UTCTimeZone()),
                           kLetters[index], ProgramName(), message);
  }
  // One write per line so that lines from concurrent processes never
  // interleave.
  [[maybe_unused]] ssize_t ignored =
      write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace dbcache
