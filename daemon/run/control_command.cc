// Control messages: the commands, and what ties the parts in control/
// together (the text and JSON parsers, the table of run keys, the UTF-8 check).
#include "daemon/run/control_command.h"

#include <array>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "daemon/common/json_fields.h"
#include "daemon/common/str_cat.h"
#include "daemon/run/control/parsers.h"
#include "daemon/run/control/run_keys.h"
#include "daemon/run/control/utf8.h"
#include "nlohmann/json.hpp"

namespace dbcache::run {
namespace {

using control::Field;
using control::RunKey;
using control::RunKeySpec;

constexpr std::string_view kExpectedCommands =
    "expected run, compare, cancel, flush, reset or ping";

struct CommandName {
  std::string_view name;
  CommandKind kind;
};
constexpr std::array<CommandName, 6> kCommands = {{
    {"run", CommandKind::kRun},
    {"compare", CommandKind::kCompare},
    {"cancel", CommandKind::kCancel},
    {"flush", CommandKind::kFlush},
    {"reset", CommandKind::kReset},
    {"ping", CommandKind::kPing},
}};

std::optional<CommandKind> FindCommand(std::string_view name) {
  for (const CommandName& command : kCommands) {
    if (command.name == name) return command.kind;
  }
  return std::nullopt;
}

// Checks every field against the command and its key's kind. Fields arrive
// already free of unknown and duplicate keys.
absl::StatusOr<ControlCommand> BuildCommand(CommandKind kind,
                                            const std::vector<Field>& fields) {
  ControlCommand command;
  command.kind = kind;
  const bool takes_run_keys = TakesRunParams(kind);
  for (const Field& field : fields) {
    const RunKeySpec& spec = *field.spec;
    if (!takes_run_keys && spec.key != RunKey::kId) {
      return absl::InvalidArgumentError(
          dbcache::StrCat("key '", spec.name, "' is not allowed with ",
                          CommandKindName(kind), " (only 'id' is)"));
    }
    if (kind == CommandKind::kCompare && spec.key == RunKey::kCache) {
      return absl::InvalidArgumentError(
          "key 'cache' is not allowed with compare (it runs cache=off, then "
          "cache=on)");
    }
    if (absl::Status applied =
            control::ApplyRunKey(spec, field.value, &command.run, &command.id);
        !applied.ok()) {
      return applied;
    }
  }
  // Only run and compare use run's parameters; an id given to another command
  // is its correlation id alone.
  if (!takes_run_keys) command.run = RunParams();
  // The compare's runs are <id>-off and <id>-on, and run ids are 64 at most.
  if (kind == CommandKind::kCompare &&
      command.run.id.size() > kMaxCompareIdSize) {
    return absl::InvalidArgumentError(
        dbcache::StrCat("a compare id is at most ", kMaxCompareIdSize,
                        " characters (its runs are <id>-off and <id>-on)"));
  }
  return command;
}

bool LooksLikeJson(char first) {
  return first == '{' || first == '[' || first == '"' || first == '-' ||
         (first >= '0' && first <= '9');
}

}  // namespace

namespace control {

absl::Status CheckCommandName(std::string_view name) {
  if (FindCommand(name).has_value()) return absl::OkStatus();
  return absl::InvalidArgumentError(dbcache::StrCat(
      "unknown command ", Quoted(name), " (", kExpectedCommands, ")"));
}

}  // namespace control

bool IsWorkloadName(std::string_view name) {
  if (name.empty() || name.size() > kMaxWorkloadNameSize) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

std::string_view StampedeName(Stampede stampede) {
  switch (stampede) {
    case Stampede::kNone:
      return "none";
    case Stampede::kCoalesce:
      return "coalesce";
    case Stampede::kLock:
      return "lock";
    case Stampede::kXFetch:
      return "xfetch";
    case Stampede::kSwr:
      return "swr";
  }
  return "coalesce";
}

std::string_view InvalidateName(Invalidate invalidate) {
  switch (invalidate) {
    case Invalidate::kTtl:
      return "ttl";
    case Invalidate::kDelete:
      return "delete";
    case Invalidate::kWriteThrough:
      return "write_through";
    case Invalidate::kDeleteTwice:
      return "delete_twice";
  }
  return "ttl";
}

std::string_view CommandKindName(CommandKind kind) {
  for (const CommandName& command : kCommands) {
    if (command.kind == kind) return command.name;
  }
  return "unknown";
}

absl::StatusOr<ControlCommand> ParseControlMessage(std::string_view message) {
  if (message.size() > kMaxControlMessageSize) {
    return absl::InvalidArgumentError(
        dbcache::StrCat("message of ", message.size(), " bytes exceeds ",
                        kMaxControlMessageSize));
  }
  if (absl::Status status = control::CheckText(message); !status.ok()) {
    return status;
  }
  std::string_view text = control::TrimAsciiWhitespace(message);
  if (text.empty()) return absl::InvalidArgumentError("empty message");
  absl::StatusOr<control::ParsedMessage> parsed =
      LooksLikeJson(text.front()) ? control::ParseJsonMessage(text)
                                  : control::ParseTextMessage(text);
  if (!parsed.ok()) return parsed.status();
  // Both parsers have checked the command word.
  return BuildCommand(*FindCommand(parsed->command), parsed->fields);
}

std::string ClaimedId(std::string_view message) {
  if (message.size() > kMaxControlMessageSize ||
      !control::CheckText(message).ok()) {
    return "";
  }
  std::string_view text = control::TrimAsciiWhitespace(message);
  std::string id;
  if (!text.empty() && LooksLikeJson(text.front())) {
    const nlohmann::json parsed =
        nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    id = Text(parsed, "id");
  } else {
    for (size_t i = 0; i < text.size();) {
      while (i < text.size() && control::IsAsciiWhitespace(text[i])) ++i;
      const size_t start = i;
      while (i < text.size() && !control::IsAsciiWhitespace(text[i])) ++i;
      const std::string_view token = text.substr(start, i - start);
      if (token.starts_with("id=")) id = std::string(token.substr(3));
    }
  }
  // Only an id the parser would take: the error event echoes it as is.
  RunParams unused;
  std::string checked;
  if (absl::Status valid = control::ApplyRunKey(
          *control::FindRunKey("id"),
          control::Value{control::ValueType::kText, id, 0, false}, &unused,
          &checked);
      !valid.ok()) {
    return "";
  }
  return checked;
}

std::string ControlCommandToJson(const ControlCommand& command) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  json["cmd"] = std::string(CommandKindName(command.kind));
  std::string_view id = command.id;
  if (TakesRunParams(command.kind)) {
    control::AppendRunParamsJson(command.run, &json);
    // A compare sets cache itself, and refuses the key.
    if (command.kind == CommandKind::kCompare) json.erase("cache");
    if (!command.run.id.empty()) id = command.run.id;
  }
  if (!id.empty()) json["id"] = std::string(id);
  // replace: an id that is not UTF-8 (never one that parsed) must not throw.
  return json.dump(-1, ' ', false,
                   nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace dbcache::run
