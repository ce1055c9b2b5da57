#ifndef DBCACHE_DAEMON_CONFIG_COMMAND_LINE_H_
#define DBCACHE_DAEMON_CONFIG_COMMAND_LINE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "daemon/config/settings.h"

namespace dbcache::config {

// What a program tells the shared command-line handling about itself.
struct ProgramInfo {
  std::string_view name;      // "dbcached"
  std::string_view synopsis;  // Usage lines and a short description.
  unsigned groups;            // Settings shown in --help.
  std::string_view extra_help =
      "";  // Program-specific flags, already formatted.
};

// Handles --help and --version itself (so that no flag value, secret or not, is
// ever echoed back by Abseil's usage output), then parses the absl flags. Exits
// 0 after help or version, 2 on a bad flag. Returns the positional arguments
// (argv[0] first).
std::vector<std::string> ParseCommandLine(int argc, char** argv,
                                          const ProgramInfo& info);

// The settings flags given on the command line, for Resolve().
FlagValues CommandLineFlagValues();

// ParseCommandLine's caller then calls this: flags + environment + defaults,
// with a one-line error on stderr and exit code 2 when a setting is invalid.
Settings ResolveOrExit(const ProgramInfo& info);

// The --help text (exposed for tests).
std::string HelpText(const ProgramInfo& info);

}  // namespace dbcache::config

#endif  // DBCACHE_DAEMON_CONFIG_COMMAND_LINE_H_
