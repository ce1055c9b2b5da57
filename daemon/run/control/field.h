#ifndef DBCACHE_DAEMON_RUN_CONTROL_FIELD_H_
#define DBCACHE_DAEMON_RUN_CONTROL_FIELD_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace dbcache::run::control {

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

struct RunKeySpec;

// One key=value of a message, its key known (see run_keys.h).
struct Field {
  const RunKeySpec* spec;
  Value value;
};

// "a string", "a number", "a boolean", "null": for "must be X, not Y" errors.
std::string_view JsonTypeName(ValueType type);

}  // namespace dbcache::run::control

#endif  // DBCACHE_DAEMON_RUN_CONTROL_FIELD_H_
