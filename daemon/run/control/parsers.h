#ifndef DBCACHE_DAEMON_RUN_CONTROL_PARSERS_H_
#define DBCACHE_DAEMON_RUN_CONTROL_PARSERS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "daemon/run/control/field.h"

namespace dbcache::run::control {

// A message split into its command word and key=value fields, each key known
// and given once (unknown and duplicate keys are refused here, with a "did
// you mean" where one fits); the values are checked later, against their
// keys' kinds (run_keys.h). Two forms, two parsers.
struct ParsedMessage {
  std::string command;
  std::vector<Field> fields;
};

// "run queries=1000 concurrency=8": a command word, then key=value pairs
// separated by ASCII whitespace. `text` is trimmed and not empty.
absl::StatusOr<ParsedMessage> ParseTextMessage(std::string_view text);

// {"cmd":"run","queries":1000}: one flat object, read with nlohmann's SAX
// parser so that nesting, duplicates and unknown keys stop the parse at once
// and no input recurses deeply.
absl::StatusOr<ParsedMessage> ParseJsonMessage(std::string_view text);

// OK for a command word dbcached knows ("run", "cancel", ...); otherwise the
// "unknown command" error (control_command.cc).
absl::Status CheckCommandName(std::string_view name);

// The key the user most likely meant, for errors: see Suggest().
absl::Status UnknownKey(std::string_view key, bool json);
absl::Status DuplicateKey(std::string_view key);

}  // namespace dbcache::run::control

#endif  // DBCACHE_DAEMON_RUN_CONTROL_PARSERS_H_
