// The JSON form of control messages: see parsers.h.
#include <algorithm>
#include <optional>

#include "daemon/common/str_cat.h"
#include "daemon/run/control/parsers.h"
#include "daemon/run/control/run_keys.h"
#include "daemon/run/control/utf8.h"
#include "nlohmann/json.hpp"

namespace dbcache::run::control {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kCmdKey = "cmd";
constexpr size_t kMaxJsonErrorDetail = 160;

absl::Status Invalid(std::string message) {
  return absl::InvalidArgumentError(std::move(message));
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
    const RunKeySpec* spec = FindRunKey(name);
    if (spec == nullptr) return Fail(UnknownKey(name, /*json=*/true));
    if (std::any_of(fields_.begin(), fields_.end(),
                    [spec](const Field& f) { return f.spec == spec; })) {
      return Fail(DuplicateKey(name));
    }
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
  std::vector<Field>& fields() { return fields_; }

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
  const RunKeySpec* pending_ = nullptr;
  std::optional<Value> cmd_;
  std::vector<Field> fields_;
  absl::Status status_;
};

}  // namespace

absl::StatusOr<ParsedMessage> ParseJsonMessage(std::string_view text) {
  JsonCollector collector;
  const bool ok = Json::sax_parse(text.begin(), text.end(), &collector,
                                  Json::input_format_t::json, /*strict=*/true,
                                  /*ignore_comments=*/false);
  if (!ok) {
    if (!collector.status().ok()) return collector.status();
    return Invalid("invalid JSON");  // Not expected: every failure sets one.
  }
  if (!collector.cmd().has_value()) return Invalid("missing key 'cmd'");
  const Value& cmd = *collector.cmd();
  if (cmd.type != ValueType::kString) {
    return Invalid(dbcache::StrCat("'cmd' must be a string, not ",
                                   JsonTypeName(cmd.type)));
  }
  if (absl::Status known = CheckCommandName(cmd.text); !known.ok()) {
    return known;
  }
  return ParsedMessage{cmd.text, std::move(collector.fields())};
}

}  // namespace dbcache::run::control
