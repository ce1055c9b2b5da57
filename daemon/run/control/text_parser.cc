// The plain-text form of control messages: see parsers.h.
#include <algorithm>

#include "daemon/common/str_cat.h"
#include "daemon/run/control/parsers.h"
#include "daemon/run/control/run_keys.h"
#include "daemon/run/control/suggest.h"
#include "daemon/run/control/utf8.h"

namespace dbcache::run::control {
namespace {

bool HasField(const std::vector<Field>& fields, const RunKeySpec* spec) {
  return std::any_of(fields.begin(), fields.end(),
                     [spec](const Field& f) { return f.spec == spec; });
}

}  // namespace

absl::Status UnknownKey(std::string_view key, bool json) {
  std::vector<std::string_view> candidates;
  for (const RunKeySpec& spec : RunKeys()) candidates.push_back(spec.name);
  if (json) candidates.push_back("cmd");
  std::optional<std::string_view> suggestion = Suggest(key, candidates);
  if (suggestion.has_value()) {
    return absl::InvalidArgumentError(dbcache::StrCat(
        "unknown key ", Quoted(key), " (did you mean '", *suggestion, "'?)"));
  }
  return absl::InvalidArgumentError(dbcache::StrCat(
      "unknown key ", Quoted(key), " (known keys: ", json ? "cmd, " : "",
      RunKeyNames(), ")"));
}

absl::Status DuplicateKey(std::string_view key) {
  return absl::InvalidArgumentError(
      dbcache::StrCat("duplicate key ", Quoted(key)));
}

absl::StatusOr<ParsedMessage> ParseTextMessage(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsAsciiWhitespace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !IsAsciiWhitespace(text[i])) ++i;
    if (i > start) tokens.push_back(text.substr(start, i - start));
  }
  // The command word first: "run; rm -rf /" is an unknown command, not a
  // malformed key.
  if (absl::Status known = CheckCommandName(tokens.front()); !known.ok()) {
    return known;
  }
  ParsedMessage parsed;
  parsed.command = std::string(tokens.front());
  for (size_t t = 1; t < tokens.size(); ++t) {
    std::string_view token = tokens[t];
    const size_t equals = token.find('=');
    if (equals == std::string_view::npos) {
      return absl::InvalidArgumentError(
          dbcache::StrCat("expected key=value, got ", Quoted(token)));
    }
    std::string_view name = token.substr(0, equals);
    std::string_view value = token.substr(equals + 1);
    if (name.empty()) {
      return absl::InvalidArgumentError(
          dbcache::StrCat("missing key before '=' in ", Quoted(token)));
    }
    const RunKeySpec* spec = FindRunKey(name);
    if (spec == nullptr) return UnknownKey(name, /*json=*/false);
    if (HasField(parsed.fields, spec)) return DuplicateKey(name);
    if (value.empty()) {
      return absl::InvalidArgumentError(
          dbcache::StrCat("missing value for '", name, "'"));
    }
    parsed.fields.push_back(
        Field{spec, Value{ValueType::kText, std::string(value), 0, false}});
  }
  return parsed;
}

}  // namespace dbcache::run::control
