#include "daemon/run/control_command.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "daemon/common/str_cat.h"
#include "nlohmann/json.hpp"

namespace dbcache::run {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kExpectedCommands =
    "expected run, cancel, flush, reset or ping";
constexpr size_t kMaxIdSize = 64;
// Long user text is cut to this many bytes when quoted back in an error
// message.
constexpr size_t kMaxQuotedSize = 64;
constexpr size_t kMaxJsonErrorDetail = 160;

struct CommandName {
  std::string_view name;
  CommandKind kind;
};
constexpr std::array<CommandName, 5> kCommands = {{
    {"run", CommandKind::kRun},
    {"cancel", CommandKind::kCancel},
    {"flush", CommandKind::kFlush},
    {"reset", CommandKind::kReset},
    {"ping", CommandKind::kPing},
}};

enum class KeyType { kInteger, kId, kCache };
enum class Key {
  kQueries,
  kConcurrency,
  kTtlMs,
  kLimitMax,
  kSeed,
  kId,
  kCache
};

struct KeySpec {
  std::string_view name;
  Key key;
  KeyType type;
  uint64_t min;
  uint64_t max;
};
constexpr std::array<KeySpec, 7> kKeys = {{
    {"queries", Key::kQueries, KeyType::kInteger, 1, 10'000'000},
    {"concurrency", Key::kConcurrency, KeyType::kInteger, 1, 1024},
    {"ttl_ms", Key::kTtlMs, KeyType::kInteger, 1, 86'400'000},
    {"limit_max", Key::kLimitMax, KeyType::kInteger, 1, 1'000'000},
    {"seed", Key::kSeed, KeyType::kInteger, 0,
     std::numeric_limits<uint64_t>::max()},
    {"id", Key::kId, KeyType::kId, 0, 0},
    {"cache", Key::kCache, KeyType::kCache, 0, 0},
}};
constexpr std::string_view kKnownKeys =
    "queries, concurrency, ttl_ms, limit_max, seed, id, cache";
constexpr std::string_view kCmdKey = "cmd";

// A value as it arrived: a bare token of the text form, or a typed JSON value.
enum class ValueType {
  kText,      // text form: the characters after '='
  kString,    // JSON string
  kUnsigned,  // JSON integer >= 0 (number holds it)
  kNegative,  // JSON integer written with '-'
  kFloat,  // JSON number with a fraction, an exponent, or too big for 64 bits
  kBool,   // JSON true/false
  kNull,   // JSON null
};

struct Value {
  ValueType type = ValueType::kNull;
  // The characters for kText/kString; the literal as written for numbers.
  std::string text;
  uint64_t number = 0;
  bool boolean = false;
};

struct Field {
  const KeySpec* spec;
  Value value;
};

bool IsAsciiWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r';
}

std::string_view TrimAsciiWhitespace(std::string_view s) {
  while (!s.empty() && IsAsciiWhitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiWhitespace(s.back())) s.remove_suffix(1);
  return s;
}

// Cuts s to at most max bytes without splitting a UTF-8 sequence.
std::string_view CutUtf8(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<uint8_t>(s[n]) & 0xc0) == 0x80) --n;
  return s.substr(0, n);
}

// User text made safe to embed in an error message: escaped and cut short.
std::string Shown(std::string_view s) {
  std::string_view cut = CutUtf8(s, kMaxQuotedSize);
  return dbcache::StrCat(
      absl::Utf8SafeCHexEscape(absl::string_view(cut.data(), cut.size())),
      cut.size() < s.size() ? "..." : "");
}

std::string Quoted(std::string_view s) {
  return dbcache::StrCat("'", Shown(s), "'");
}

absl::Status Invalid(std::string message) {
  return absl::InvalidArgumentError(std::move(message));
}

// The length (2..4) of the well-formed UTF-8 sequence at the start of s, whose
// first byte is >= 0x80; 0 if it is malformed, overlong, a surrogate or cut
// short.
size_t Utf8SequenceLength(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const uint8_t b = p[0];
  size_t len = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) {
    len = 2;
  } else if (b >= 0xe0 && b <= 0xef) {
    len = 3;
    if (b == 0xe0) lo = 0xa0;  // overlong
    if (b == 0xed) hi = 0x9f;  // surrogates
  } else if (b >= 0xf0 && b <= 0xf4) {
    len = 4;
    if (b == 0xf0) lo = 0x90;  // overlong
    if (b == 0xf4) hi = 0x8f;  // above U+10FFFF
  }
  if (len == 0 || len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const uint8_t c = p[k];
    if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xbf)) return 0;
  }
  return len;
}

// Rejects anything that is not printable UTF-8 text: control bytes other than
// ASCII whitespace (NUL included), DEL, and malformed, overlong or surrogate
// sequences.
absl::Status CheckText(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<uint8_t>(s[i]);
    if (b < 0x80) {
      if ((b < 0x20 && !IsAsciiWhitespace(static_cast<char>(b))) || b == 0x7f) {
        return Invalid(absl::StrFormat(
            "not valid UTF-8 text: control byte 0x%02x at byte %d", b, i));
      }
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(s.substr(i));
    if (len == 0) {
      return Invalid(absl::StrFormat(
          "not valid UTF-8 text: bad byte 0x%02x at byte %d", b, i));
    }
    i += len;
  }
  return absl::OkStatus();
}

// s with every byte that is not part of a well-formed UTF-8 sequence written
// as \xNN, so that it can go into an error message (and a JSON event).
std::string EscapeMalformedUtf8(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<uint8_t>(s[i]);
    const size_t len = b < 0x80 ? 1 : Utf8SequenceLength(s.substr(i));
    if (len == 0) {
      out += absl::StrFormat("\\x%02x", b);
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The known key the user most likely meant: one at most two edits away (and
// fewer edits than the key has characters, so "x" does not become "id"), or
// failing that the only key starting with what was typed ("ttl" -> "ttl_ms").
std::optional<std::string_view> SuggestKey(std::string_view key,
                                           bool include_cmd) {
  if (key.empty() || key.size() > kMaxQuotedSize) return std::nullopt;
  std::vector<std::string_view> candidates;
  for (const KeySpec& spec : kKeys) candidates.push_back(spec.name);
  if (include_cmd) candidates.push_back(kCmdKey);
  std::string lower(key);
  absl::AsciiStrToLower(&lower);
  std::optional<std::string_view> best;
  size_t best_distance = 3;
  for (std::string_view candidate : candidates) {
    const size_t distance = EditDistance(lower, candidate);
    if (distance < best_distance && distance < key.size()) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (best.has_value()) return best;
  if (lower.size() < 3) return std::nullopt;
  std::optional<std::string_view> prefix_of;
  for (std::string_view candidate : candidates) {
    if (candidate.substr(0, lower.size()) == lower) {
      if (prefix_of.has_value()) return std::nullopt;
      prefix_of = candidate;
    }
  }
  return prefix_of;
}

absl::Status UnknownKey(std::string_view key, bool json) {
  std::optional<std::string_view> suggestion = SuggestKey(key, json);
  if (suggestion.has_value()) {
    return Invalid(dbcache::StrCat("unknown key ", Quoted(key),
                                   " (did you mean '", *suggestion, "'?)"));
  }
  return Invalid(dbcache::StrCat("unknown key ", Quoted(key), " (known keys: ",
                                 json ? "cmd, " : "", kKnownKeys, ")"));
}

const KeySpec* FindKey(std::string_view name) {
  for (const KeySpec& spec : kKeys) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::optional<CommandKind> FindCommand(std::string_view name) {
  for (const CommandName& command : kCommands) {
    if (command.name == name) return command.kind;
  }
  return std::nullopt;
}

absl::Status UnknownCommand(std::string_view name) {
  return Invalid(dbcache::StrCat("unknown command ", Quoted(name), " (",
                                 kExpectedCommands, ")"));
}

absl::Status DuplicateKey(std::string_view name) {
  return Invalid(dbcache::StrCat("duplicate key ", Quoted(name)));
}

std::string_view JsonTypeName(ValueType type) {
  switch (type) {
    case ValueType::kText:
    case ValueType::kString:
      return "a string";
    case ValueType::kUnsigned:
    case ValueType::kNegative:
    case ValueType::kFloat:
      return "a number";
    case ValueType::kBool:
      return "a boolean";
    case ValueType::kNull:
      return "null";
  }
  return "a value";
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
}

absl::Status OutOfRange(const KeySpec& spec, std::string_view shown) {
  return Invalid(dbcache::StrCat(spec.name, "=", shown, " is out of range ",
                                 spec.min, "..", spec.max));
}

absl::Status Negative(const KeySpec& spec, std::string_view shown) {
  return Invalid(dbcache::StrCat(spec.name, "=", shown,
                                 " is negative (allowed range ", spec.min, "..",
                                 spec.max, ")"));
}

absl::Status NotAnInteger(const KeySpec& spec, std::string_view shown) {
  return Invalid(dbcache::StrCat(spec.name, "=", shown, " is not an integer"));
}

// A decimal integer written the one plain way: digits only, no sign, no leading
// zero.
absl::StatusOr<uint64_t> ParseTextInteger(const KeySpec& spec,
                                          std::string_view text) {
  const std::string shown = Shown(text);
  if (text.front() == '+') {
    return Invalid(dbcache::StrCat(spec.name, "=", shown,
                                   ": a leading '+' is not allowed"));
  }
  if (text.front() == '-') {
    if (AllDigits(text.substr(1))) return Negative(spec, shown);
    return NotAnInteger(spec, shown);
  }
  if (text.size() > 1 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    return Invalid(dbcache::StrCat(spec.name, "=", shown,
                                   ": hex is not allowed, use decimal digits"));
  }
  if (!AllDigits(text)) return NotAnInteger(spec, shown);
  if (text.size() > 1 && text[0] == '0') {
    return Invalid(dbcache::StrCat(spec.name, "=", shown,
                                   ": leading zeros are not allowed"));
  }
  uint64_t value = 0;
  for (char c : text) {
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return OutOfRange(spec, shown);
    }
    value = value * 10 + digit;
  }
  return value;
}

absl::StatusOr<uint64_t> ParseInteger(const KeySpec& spec, const Value& value) {
  uint64_t number = 0;
  switch (value.type) {
    case ValueType::kText: {
      absl::StatusOr<uint64_t> parsed = ParseTextInteger(spec, value.text);
      if (!parsed.ok()) return parsed.status();
      number = *parsed;
      break;
    }
    case ValueType::kUnsigned:
      number = value.number;
      break;
    case ValueType::kNegative:
      return Negative(spec, value.text);
    case ValueType::kFloat: {
      // nlohmann reads an integer literal too big for 64 bits as a double; the
      // raw literal tells it apart from a real fraction or exponent.
      std::string_view literal = value.text;
      if (!literal.empty() && literal.front() == '-') {
        if (AllDigits(literal.substr(1))) return Negative(spec, Shown(literal));
      } else if (AllDigits(literal)) {
        return OutOfRange(spec, Shown(literal));
      }
      return NotAnInteger(spec, Shown(literal));
    }
    case ValueType::kString:
    case ValueType::kBool:
    case ValueType::kNull:
      return Invalid(dbcache::StrCat("'", spec.name,
                                     "' must be an integer, not ",
                                     JsonTypeName(value.type)));
  }
  if (number < spec.min || number > spec.max) {
    return OutOfRange(spec, value.text);
  }
  return number;
}

absl::StatusOr<std::string> ParseId(const Value& value) {
  if (value.type != ValueType::kText && value.type != ValueType::kString) {
    return Invalid(dbcache::StrCat("'id' must be a string, not ",
                                   JsonTypeName(value.type)));
  }
  const std::string& id = value.text;
  if (id.empty() || id.size() > kMaxIdSize) {
    return Invalid(dbcache::StrCat("id ", Quoted(id), " is ", id.size(),
                                   " characters long (allowed 1..", kMaxIdSize,
                                   ")"));
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
        c == '.' || c == ':' || c == '-') {
      continue;
    }
    // Show a whole character, not the first byte of its UTF-8 sequence (the
    // text is known to be valid UTF-8 by now).
    const uint8_t lead = static_cast<uint8_t>(c);
    const size_t len = lead >= 0xf0   ? 4
                       : lead >= 0xe0 ? 3
                       : lead >= 0xc0 ? 2
                                      : 1;
    return Invalid(dbcache::StrCat("id ", Quoted(id), " contains ",
                                   Quoted(std::string_view(id).substr(i, len)),
                                   " (allowed: A-Z a-z 0-9 _ . : -)"));
  }
  return id;
}

absl::StatusOr<bool> ParseCache(const Value& value) {
  switch (value.type) {
    case ValueType::kText:
    case ValueType::kString:
      if (value.text == "on") return true;
      if (value.text == "off") return false;
      return Invalid(
          dbcache::StrCat("cache=", Shown(value.text), " must be on or off"));
    case ValueType::kBool:
      return value.boolean;
    default:
      return Invalid(
          dbcache::StrCat("'cache' must be on, off, true or false, not ",
                          JsonTypeName(value.type)));
  }
}

// Checks every field against the command and fills it in. Fields arrive already
// free of unknown and duplicate keys.
absl::StatusOr<ControlCommand> BuildCommand(CommandKind kind,
                                            const std::vector<Field>& fields) {
  ControlCommand command;
  command.kind = kind;
  for (const Field& field : fields) {
    const KeySpec& spec = *field.spec;
    if (kind != CommandKind::kRun && spec.key != Key::kId) {
      return Invalid(dbcache::StrCat("key '", spec.name,
                                     "' is not allowed with ",
                                     CommandKindName(kind), " (only 'id' is)"));
    }
    if (spec.type == KeyType::kId) {
      absl::StatusOr<std::string> id = ParseId(field.value);
      if (!id.ok()) return id.status();
      command.id = *id;
      if (kind == CommandKind::kRun) command.run.id = *std::move(id);
      continue;
    }
    if (spec.type == KeyType::kCache) {
      absl::StatusOr<bool> cache = ParseCache(field.value);
      if (!cache.ok()) return cache.status();
      command.run.cache = *cache;
      continue;
    }
    absl::StatusOr<uint64_t> number = ParseInteger(spec, field.value);
    if (!number.ok()) return number.status();
    // The range checks make each of these conversions lossless.
    switch (spec.key) {
      case Key::kQueries:
        command.run.queries = static_cast<int64_t>(*number);
        break;
      case Key::kConcurrency:
        command.run.concurrency = static_cast<int32_t>(*number);
        break;
      case Key::kTtlMs:
        command.run.ttl_ms = static_cast<int64_t>(*number);
        break;
      case Key::kLimitMax:
        command.run.limit_max = static_cast<int64_t>(*number);
        break;
      case Key::kSeed:
        command.run.seed = *number;
        break;
      case Key::kId:
      case Key::kCache:
        break;
    }
  }
  return command;
}

bool HasField(const std::vector<Field>& fields, const KeySpec* spec) {
  return std::any_of(fields.begin(), fields.end(),
                     [spec](const Field& f) { return f.spec == spec; });
}

absl::StatusOr<ControlCommand> ParseText(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsAsciiWhitespace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !IsAsciiWhitespace(text[i])) ++i;
    if (i > start) tokens.push_back(text.substr(start, i - start));
  }
  // The caller has trimmed the text and rejected it if empty.
  std::optional<CommandKind> kind = FindCommand(tokens.front());
  if (!kind.has_value()) return UnknownCommand(tokens.front());

  std::vector<Field> fields;
  for (size_t t = 1; t < tokens.size(); ++t) {
    std::string_view token = tokens[t];
    const size_t equals = token.find('=');
    if (equals == std::string_view::npos) {
      return Invalid(
          dbcache::StrCat("expected key=value, got ", Quoted(token)));
    }
    std::string_view name = token.substr(0, equals);
    std::string_view value = token.substr(equals + 1);
    if (name.empty()) {
      return Invalid(
          dbcache::StrCat("missing key before '=' in ", Quoted(token)));
    }
    const KeySpec* spec = FindKey(name);
    if (spec == nullptr) return UnknownKey(name, /*json=*/false);
    if (HasField(fields, spec)) return DuplicateKey(name);
    if (value.empty()) {
      return Invalid(dbcache::StrCat("missing value for '", name, "'"));
    }
    fields.push_back(
        Field{spec, Value{ValueType::kText, std::string(value), 0, false}});
  }
  return BuildCommand(*kind, fields);
}

// Collects the fields of a flat JSON object as the SAX parser reports them.
// Returning false from any handler stops the parse at once, which is how
// nesting, duplicates and unknown keys are rejected before the rest of the
// input is even read; nlohmann's parser is iterative, so no input can recurse
// deeply.
class JsonCollector {
 public:
  bool null() { return OnValue(Value{ValueType::kNull, "null", 0, false}); }
  bool boolean(bool b) {
    return OnValue(Value{ValueType::kBool, b ? "true" : "false", 0, b});
  }
  bool number_integer(Json::number_integer_t v) {
    // Only a literal starting with '-' is reported as signed; "-0" arrives as
    // 0.
    return OnValue(Value{ValueType::kNegative,
                         v == 0 ? "-0" : dbcache::StrCat(v), 0, false});
  }
  bool number_unsigned(Json::number_unsigned_t v) {
    return OnValue(Value{ValueType::kUnsigned, dbcache::StrCat(v), v, false});
  }
  bool number_float(Json::number_float_t, const Json::string_t& literal) {
    return OnValue(Value{ValueType::kFloat, literal, 0, false});
  }
  bool string(Json::string_t& s) {
    return OnValue(Value{ValueType::kString, std::move(s), 0, false});
  }
  bool binary(Json::binary_t&) {
    return Fail(Invalid("binary values are not allowed"));
  }
  bool start_object(std::size_t) {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    return Nested("an object");
  }
  bool end_object() {
    depth_ = 0;
    closed_ = true;
    return true;
  }
  bool start_array(std::size_t) {
    if (depth_ == 0) {
      return Fail(Invalid("a JSON message must be an object, not an array"));
    }
    return Nested("an array");
  }
  bool end_array() { return true; }
  bool key(Json::string_t& name) {
    if (name == kCmdKey) {
      if (cmd_.has_value() || pending_cmd_) return Fail(DuplicateKey(name));
      pending_cmd_ = true;
      return true;
    }
    const KeySpec* spec = FindKey(name);
    if (spec == nullptr) return Fail(UnknownKey(name, /*json=*/true));
    if (HasField(fields_, spec)) return Fail(DuplicateKey(name));
    pending_ = spec;
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const Json::exception& error) {
    // nlohmann counts the offending character (or the end of input) as read.
    const size_t at = position > 0 ? position - 1 : 0;
    if (closed_) {
      return Fail(Invalid(dbcache::StrCat(
          "trailing characters after the JSON object at byte ", at)));
    }
    // what() reads "[json.exception.parse_error.101] parse error at line 1,
    // column 5: syntax error while parsing ..."; keep the part after the
    // location.
    std::string_view what = error.what();
    if (size_t colon = what.find(": "); colon != std::string_view::npos) {
      what.remove_prefix(colon + 2);
    }
    // The token nlohmann quotes ("last read: '...'") ends where the error was
    // seen, which can be inside a UTF-8 sequence.
    const std::string detail = EscapeMalformedUtf8(what);
    std::string_view cut = CutUtf8(detail, kMaxJsonErrorDetail);
    return Fail(
        Invalid(dbcache::StrCat("invalid JSON at byte ", at, ": ", cut,
                                cut.size() < detail.size() ? "..." : "")));
  }

  const absl::Status& status() const { return status_; }
  const std::optional<Value>& cmd() const { return cmd_; }
  const std::vector<Field>& fields() const { return fields_; }

 private:
  bool Fail(absl::Status status) {
    status_ = std::move(status);
    return false;
  }

  bool Nested(std::string_view what) {
    std::string_view name = pending_cmd_          ? kCmdKey
                            : pending_ != nullptr ? pending_->name
                                                  : std::string_view("?");
    return Fail(Invalid(dbcache::StrCat("the value of '", name, "' is ", what,
                                        "; nested values are not allowed")));
  }

  bool OnValue(Value value) {
    if (depth_ == 0) {
      return Fail(Invalid(dbcache::StrCat(
          "a JSON message must be an object, not ", JsonTypeName(value.type))));
    }
    if (!pending_cmd_ && pending_ == nullptr) {
      // The parser reports a key before every member; this is only a safeguard.
      return Fail(Invalid("JSON value without a key"));
    }
    if (pending_cmd_) {
      cmd_ = std::move(value);
      pending_cmd_ = false;
    } else {
      fields_.push_back(Field{pending_, std::move(value)});
      pending_ = nullptr;
    }
    return true;
  }

  int depth_ = 0;
  bool closed_ = false;
  bool pending_cmd_ = false;
  const KeySpec* pending_ = nullptr;
  std::optional<Value> cmd_;
  std::vector<Field> fields_;
  absl::Status status_;
};

absl::StatusOr<ControlCommand> ParseJson(std::string_view text) {
  JsonCollector collector;
  const bool ok = Json::sax_parse(text.begin(), text.end(), &collector,
                                  Json::input_format_t::json, /*strict=*/true,
                                  /*ignore_comments=*/false);
  if (!ok) {
    if (!collector.status().ok()) return collector.status();
    return Invalid(
        "invalid JSON");  // Not expected: every failure sets a status.
  }
  if (!collector.cmd().has_value()) return Invalid("missing key 'cmd'");
  const Value& cmd = *collector.cmd();
  if (cmd.type != ValueType::kString) {
    return Invalid(dbcache::StrCat("'cmd' must be a string, not ",
                                   JsonTypeName(cmd.type)));
  }
  std::optional<CommandKind> kind = FindCommand(cmd.text);
  if (!kind.has_value()) return UnknownCommand(cmd.text);
  return BuildCommand(*kind, collector.fields());
}

bool LooksLikeJson(char first) {
  return first == '{' || first == '[' || first == '"' || first == '-' ||
         (first >= '0' && first <= '9');
}

}  // namespace

std::string_view CommandKindName(CommandKind kind) {
  for (const CommandName& command : kCommands) {
    if (command.kind == kind) return command.name;
  }
  return "unknown";
}

absl::StatusOr<ControlCommand> ParseControlMessage(std::string_view message) {
  if (message.size() > kMaxControlMessageSize) {
    return Invalid(dbcache::StrCat("message of ", message.size(),
                                   " bytes exceeds ", kMaxControlMessageSize));
  }
  if (absl::Status status = CheckText(message); !status.ok()) return status;
  std::string_view text = TrimAsciiWhitespace(message);
  if (text.empty()) return Invalid("empty message");
  if (LooksLikeJson(text.front())) return ParseJson(text);
  return ParseText(text);
}

std::string ControlCommandToJson(const ControlCommand& command) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  json["cmd"] = std::string(CommandKindName(command.kind));
  std::string_view id = command.id;
  if (command.kind == CommandKind::kRun) {
    const RunParams& run = command.run;
    json["queries"] = run.queries;
    json["concurrency"] = run.concurrency;
    json["ttl_ms"] = run.ttl_ms;
    json["limit_max"] = run.limit_max;
    json["cache"] = run.cache;
    if (run.seed.has_value()) json["seed"] = *run.seed;
    if (!run.id.empty()) id = run.id;
  }
  if (!id.empty()) json["id"] = std::string(id);
  // replace: an id that is not UTF-8 (never one that parsed) must not throw.
  return json.dump(-1, ' ', false,
                   nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace dbcache::run
