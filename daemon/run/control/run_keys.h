#ifndef DBCACHE_DAEMON_RUN_CONTROL_RUN_KEYS_H_
#define DBCACHE_DAEMON_RUN_CONTROL_RUN_KEYS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "daemon/run/control/field.h"
#include "daemon/run/control_command.h"
#include "nlohmann/json.hpp"

namespace dbcache::run::control {

enum class RunKey {
  kQueries,
  kConcurrency,
  kTtlMs,
  kLimitMax,
  kSeed,
  kId,
  kCache,
  kStampede,
  kRate,
  kBeta,
  kLockMs,
  kStaleMs,
  kDist,
  kKeys,
  kTtlJitterPct,
  kWorkload,
  kInvalidate,
  kDeleteDelayMs,
  kVerify,
};

enum class ValueKind {
  kInteger,       // decimal digits; min..max
  kDecimal,       // digits with an optional fraction; decimal_min..decimal_max
  kChoice,        // one of `choices` ("a|b|c")
  kOnOff,         // on/off (JSON: also true/false)
  kId,            // [A-Za-z0-9_.:-]{1,64}
  kDistribution,  // uniform|zipf:S|hotspot:P:Q|sequential
  kName,          // [a-z][a-z0-9_]{0,63}
};

// One key of a `run` message. The one table of them drives both parsers (text
// and JSON), the canonical JSON form, `dbcachectl run --help` and the
// README's table (a test checks that the README lists each with its range and
// default).
struct RunKeySpec {
  std::string_view name;
  RunKey key;
  ValueKind kind;
  uint64_t min = 0;
  uint64_t max = 0;
  double decimal_min = 0;
  double decimal_max = 0;
  std::string_view choices;
  std::string_view default_text;  // as help shows it
  std::string_view help;
};

// Every key, in the order help and errors list them.
//
//   for (const RunKeySpec& k : RunKeys()) PrintHelpLine(k.name, k.help);
std::span<const RunKeySpec> RunKeys();
const RunKeySpec* FindRunKey(std::string_view name);
// "queries, concurrency, ..." for errors.
std::string RunKeyNames();
// The accepted values as help shows them: "1..10000000", "none|coalesce|...".
std::string RangeText(const RunKeySpec& spec);

// Checks `value` against its key and stores it in `params` (the id also in
// *id). Errors are InvalidArgument and name the key and the problem
// ("queries=0 is out of range 1..10000000").
absl::Status ApplyRunKey(const RunKeySpec& spec, const Value& value,
                         RunParams* params, std::string* id);

// The keys with a fixed set of values, as the daemon's heartbeat carries them
// so that a form offers exactly what this daemon accepts:
//   {"stampede": {"values": ["none", "coalesce", ...], "default": "coalesce"},
//    "invalidate": {...}}
nlohmann::json RunChoicesJson();

// The run's parameters as the canonical JSON object ParseControlMessage
// accepts back (every key but id; seed, stale_ms, dist and keys only when
// set; invalidate, delete_delay_ms and verify only when not their defaults).
void AppendRunParamsJson(const RunParams& params, nlohmann::ordered_json* json);

}  // namespace dbcache::run::control

#endif  // DBCACHE_DAEMON_RUN_CONTROL_RUN_KEYS_H_
