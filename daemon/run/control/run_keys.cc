#include "daemon/run/control/run_keys.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "daemon/common/str_cat.h"
#include "daemon/run/control/suggest.h"
#include "daemon/run/control/utf8.h"

namespace dbcache::run::control {
namespace {

constexpr size_t kMaxIdSize = 64;
// Digits after the point a decimal may have: more would be noise, and a
// bound keeps the canonical JSON exact.
constexpr size_t kMaxFractionDigits = 3;

constexpr std::array<RunKeySpec, 19> kRunKeys = {{
    {"workload", RunKey::kWorkload, ValueKind::kName, 0, 0, 0, 0, "", "demo",
     "the named workload: its statements and parameters come from the "
     "daemon's workload file (--workloads); demo is the configured SQL over "
     "1..limit_max"},
    {"queries", RunKey::kQueries, ValueKind::kInteger, 1, 10'000'000, 0, 0, "",
     "1000", "queries in the run"},
    {"concurrency", RunKey::kConcurrency, ValueKind::kInteger, 1, 1024, 0, 0,
     "", "1", "queries in flight at most"},
    {"ttl_ms", RunKey::kTtlMs, ValueKind::kInteger, 1, 86'400'000, 0, 0, "",
     "5000", "expiry of each cached result, ms"},
    {"limit_max", RunKey::kLimitMax, ValueKind::kInteger, 1, 1'000'000, 0, 0,
     "", "75", "LIMIT n is drawn from 1..limit_max (unless keys is set)"},
    {"keys", RunKey::kKeys, ValueKind::kInteger, 1, 1'000'000, 0, 0, "",
     "limit_max",
     "distinct values of each parameter: the first keys of its range or "
     "sample (the demo's LIMIT n is drawn from 1..keys)"},
    {"dist", RunKey::kDist, ValueKind::kDistribution, 0, 0, 0, 0, "",
     "the workload's",
     "how every parameter's values are drawn, in place of the workload "
     "file's: uniform, zipf:S (rank k with weight k^-S, 0 < S "
     "<= 5), hotspot:P:Q (P% of requests to the first Q% of keys), "
     "sequential (1, 2, ..., keys, 1, ...)"},
    {"seed", RunKey::kSeed, ValueKind::kInteger, 0,
     std::numeric_limits<uint64_t>::max(), 0, 0, "", "random, recorded",
     "seed of the run's random draws: the same seed repeats the run"},
    {"id", RunKey::kId, ValueKind::kId, 0, 0, 0, 0, "", "made up",
     "the run's id"},
    {"cache", RunKey::kCache, ValueKind::kOnOff, 0, 0, 0, 0, "", "on",
     "off: every query goes to MySQL and nothing is stored"},
    {"stampede", RunKey::kStampede, ValueKind::kChoice, 0, 0, 0, 0,
     "none|coalesce|lock|xfetch|swr", "coalesce",
     "what concurrent misses of one key do: none (each queries MySQL), "
     "coalesce (wait for the first one's fill), lock (a Redis lock across "
     "daemons), xfetch (early recomputation), swr (serve stale, refresh)"},
    {"rate", RunKey::kRate, ValueKind::kInteger, 0, 10'000'000, 0, 0, "",
     "0: closed loop",
     "queries/s started on a fixed schedule (open loop), up to concurrency "
     "in flight; latency counts from each query's intended start"},
    {"beta", RunKey::kBeta, ValueKind::kDecimal, 0, 0, 0.0, 10.0, "", "1",
     "xfetch: how early entries are recomputed (larger: earlier)"},
    {"lock_ms", RunKey::kLockMs, ValueKind::kInteger, 1, 600'000, 0, 0, "",
     "1000", "lock: lifetime of the fill lock, ms"},
    {"stale_ms", RunKey::kStaleMs, ValueKind::kInteger, 0, 86'400'000, 0, 0, "",
     "ttl_ms",
     "swr: how long past ttl_ms an entry is served stale while one refresh "
     "runs, ms"},
    {"ttl_jitter_pct", RunKey::kTtlJitterPct, ValueKind::kInteger, 0, 100, 0, 0,
     "", "0",
     "each fill's expiry is drawn uniformly from ttl_ms * (1 +- pct/100), so "
     "that keys filled together do not expire together"},
    {"invalidate", RunKey::kInvalidate, ValueKind::kChoice, 0, 0, 0, 0,
     "ttl|delete|write_through|delete_twice", "ttl",
     "what a committed write does to the cached reads it affects: ttl "
     "(nothing: they expire), delete (DEL them), write_through (re-read and "
     "SET them), delete_twice (DEL, and DEL again after delete_delay_ms)"},
    {"delete_delay_ms", RunKey::kDeleteDelayMs, ValueKind::kInteger, 1, 60'000,
     0, 0, "", "100",
     "delete_twice: how long after the first DEL the second one goes, ms"},
    {"verify", RunKey::kVerify, ValueKind::kInteger, 0, 100, 0, 0, "", "0",
     "percent of hits re-read from MySQL and compared row for row with what "
     "the cache served: a difference is stale (a newer write explains it) or "
     "unexplained"},
}};

absl::Status Invalid(std::string message) {
  return absl::InvalidArgumentError(std::move(message));
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
}

absl::Status OutOfRange(const RunKeySpec& spec, std::string_view shown) {
  return Invalid(dbcache::StrCat(spec.name, "=", shown, " is out of range ",
                                 RangeText(spec)));
}

absl::Status Negative(const RunKeySpec& spec, std::string_view shown) {
  return Invalid(dbcache::StrCat(spec.name, "=", shown,
                                 " is negative (allowed range ",
                                 RangeText(spec), ")"));
}

absl::Status NotAnInteger(const RunKeySpec& spec, std::string_view shown) {
  return Invalid(dbcache::StrCat(spec.name, "=", shown, " is not an integer"));
}

// The number-shaped mistakes both numeric kinds reject the same way: a sign,
// hex, leading zeros. Empty when the text passes these checks.
std::optional<absl::Status> NumberFormError(const RunKeySpec& spec,
                                            std::string_view text,
                                            std::string_view shown) {
  if (text.front() == '+') {
    return Invalid(dbcache::StrCat(spec.name, "=", shown,
                                   ": a leading '+' is not allowed"));
  }
  if (text.size() > 1 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    return Invalid(dbcache::StrCat(spec.name, "=", shown,
                                   ": hex is not allowed, use decimal digits"));
  }
  if (text.size() > 1 && text[0] == '0' && text[1] != '.' &&
      AllDigits(text.substr(0, std::min<size_t>(2, text.size())))) {
    return Invalid(dbcache::StrCat(spec.name, "=", shown,
                                   ": leading zeros are not allowed"));
  }
  return std::nullopt;
}

// A decimal integer written the one plain way: digits only, no sign, no
// leading zero.
absl::StatusOr<uint64_t> ParseTextInteger(const RunKeySpec& spec,
                                          std::string_view text) {
  const std::string shown = Shown(text);
  if (text.front() == '-') {
    if (AllDigits(text.substr(1))) return Negative(spec, shown);
    return NotAnInteger(spec, shown);
  }
  if (auto error = NumberFormError(spec, text, shown)) return *error;
  if (!AllDigits(text)) return NotAnInteger(spec, shown);
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

absl::StatusOr<uint64_t> ParseInteger(const RunKeySpec& spec,
                                      const Value& value) {
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

// digits[.digits], at most kMaxFractionDigits after the point, no sign, no
// exponent, no leading zero; the same rules for a text token and a JSON
// number's literal.
absl::StatusOr<double> ParseDecimal(const RunKeySpec& spec,
                                    const Value& value) {
  if (value.type != ValueType::kText && value.type != ValueType::kUnsigned &&
      value.type != ValueType::kFloat && value.type != ValueType::kNegative) {
    return Invalid(dbcache::StrCat("'", spec.name, "' must be a number, not ",
                                   JsonTypeName(value.type)));
  }
  const std::string_view text = value.text;
  const std::string shown = Shown(text);
  if (text.empty())
    return Invalid(dbcache::StrCat("missing value for '", spec.name, "'"));
  if (text.front() == '-') {
    return Invalid(dbcache::StrCat(spec.name, "=", shown,
                                   " is negative (allowed range ",
                                   RangeText(spec), ")"));
  }
  if (auto error = NumberFormError(spec, text, shown)) return *error;
  const size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction = point == std::string_view::npos
                                        ? std::string_view()
                                        : text.substr(point + 1);
  if (!AllDigits(whole) ||
      (point != std::string_view::npos && !AllDigits(fraction))) {
    return Invalid(dbcache::StrCat(spec.name, "=", shown,
                                   " is not a decimal number (e.g. 1.5)"));
  }
  if (fraction.size() > kMaxFractionDigits) {
    return Invalid(dbcache::StrCat(spec.name, "=", shown, " has more than ",
                                   kMaxFractionDigits,
                                   " digits after the point"));
  }
  double number = 0;
  if (!absl::SimpleAtod(absl::string_view(text.data(), text.size()), &number) ||
      !std::isfinite(number) || number < spec.decimal_min ||
      number > spec.decimal_max) {
    return OutOfRange(spec, shown);
  }
  return number;
}

std::vector<std::string_view> Choices(const RunKeySpec& spec) {
  std::vector<std::string_view> choices;
  std::string_view rest = spec.choices;
  while (!rest.empty()) {
    const size_t bar = rest.find('|');
    choices.push_back(rest.substr(0, bar));
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  return choices;
}

absl::StatusOr<std::string_view> ParseChoice(const RunKeySpec& spec,
                                             const Value& value) {
  if (value.type != ValueType::kText && value.type != ValueType::kString) {
    return Invalid(dbcache::StrCat("'", spec.name, "' must be a string, not ",
                                   JsonTypeName(value.type)));
  }
  std::vector<std::string_view> choices = Choices(spec);
  for (std::string_view choice : choices) {
    if (value.text == choice) return choice;
  }
  std::string list;
  for (size_t i = 0; i < choices.size(); ++i) {
    list += dbcache::StrCat(i == 0                    ? ""
                            : i + 1 == choices.size() ? " or "
                                                      : ", ",
                            choices[i]);
  }
  std::optional<std::string_view> suggestion = Suggest(value.text, choices);
  return Invalid(dbcache::StrCat(
      spec.name, "=", Shown(value.text), " must be one of ", list,
      suggestion.has_value()
          ? dbcache::StrCat(" (did you mean '", *suggestion, "'?)")
          : std::string()));
}

absl::StatusOr<bool> ParseOnOff(const RunKeySpec& spec, const Value& value) {
  switch (value.type) {
    case ValueType::kText:
    case ValueType::kString:
      if (value.text == "on") return true;
      if (value.text == "off") return false;
      return Invalid(dbcache::StrCat(spec.name, "=", Shown(value.text),
                                     " must be on or off"));
    case ValueType::kBool:
      return value.boolean;
    default:
      return Invalid(dbcache::StrCat("'", spec.name,
                                     "' must be on, off, true or false, not ",
                                     JsonTypeName(value.type)));
  }
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

Stampede StampedeFrom(std::string_view name) {
  if (name == "none") return Stampede::kNone;
  if (name == "lock") return Stampede::kLock;
  if (name == "xfetch") return Stampede::kXFetch;
  if (name == "swr") return Stampede::kSwr;
  return Stampede::kCoalesce;
}

Invalidate InvalidateFrom(std::string_view name) {
  if (name == "delete") return Invalidate::kDelete;
  if (name == "write_through") return Invalidate::kWriteThrough;
  if (name == "delete_twice") return Invalidate::kDeleteTwice;
  return Invalidate::kTtl;
}

}  // namespace

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

std::span<const RunKeySpec> RunKeys() { return kRunKeys; }

const RunKeySpec* FindRunKey(std::string_view name) {
  for (const RunKeySpec& spec : kRunKeys) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string RunKeyNames() {
  std::string names;
  for (const RunKeySpec& spec : kRunKeys) {
    names += dbcache::StrCat(names.empty() ? "" : ", ", spec.name);
  }
  return names;
}

nlohmann::json RunChoicesJson() {
  nlohmann::json choices = nlohmann::json::object();
  for (const RunKeySpec& spec : RunKeys()) {
    if (spec.kind != ValueKind::kChoice) continue;
    nlohmann::json values = nlohmann::json::array();
    std::string_view rest = spec.choices;
    while (!rest.empty()) {
      const size_t bar = rest.find('|');
      values.push_back(std::string(rest.substr(0, bar)));
      rest.remove_prefix(bar == std::string_view::npos ? rest.size() : bar + 1);
    }
    choices[std::string(spec.name)] = {{"values", std::move(values)},
                                       {"default", spec.default_text}};
  }
  return choices;
}

std::string RangeText(const RunKeySpec& spec) {
  switch (spec.kind) {
    case ValueKind::kInteger:
      return dbcache::StrCat(spec.min, "..", spec.max);
    case ValueKind::kDecimal:
      return dbcache::StrCat(spec.decimal_min, "..", spec.decimal_max);
    case ValueKind::kChoice:
      return std::string(spec.choices);
    case ValueKind::kOnOff:
      return "on|off";
    case ValueKind::kId:
      return "[A-Za-z0-9_.:-]{1,64}";
    case ValueKind::kDistribution:
      return std::string(kKeyDistributionForms);
    case ValueKind::kName:
      return "[a-z][a-z0-9_]{0,63}";
  }
  return "";
}

absl::Status ApplyRunKey(const RunKeySpec& spec, const Value& value,
                         RunParams* params, std::string* id) {
  switch (spec.kind) {
    case ValueKind::kId: {
      absl::StatusOr<std::string> parsed = ParseId(value);
      if (!parsed.ok()) return parsed.status();
      *id = *parsed;
      params->id = *std::move(parsed);
      return absl::OkStatus();
    }
    case ValueKind::kOnOff: {
      absl::StatusOr<bool> on = ParseOnOff(spec, value);
      if (!on.ok()) return on.status();
      params->cache = *on;
      return absl::OkStatus();
    }
    case ValueKind::kChoice: {
      absl::StatusOr<std::string_view> choice = ParseChoice(spec, value);
      if (!choice.ok()) return choice.status();
      if (spec.key == RunKey::kInvalidate) {
        params->invalidate = InvalidateFrom(*choice);
      } else {
        params->stampede = StampedeFrom(*choice);
      }
      return absl::OkStatus();
    }
    case ValueKind::kDistribution: {
      if (value.type != ValueType::kText && value.type != ValueType::kString) {
        return Invalid(dbcache::StrCat("'", spec.name,
                                       "' must be a string, not ",
                                       JsonTypeName(value.type)));
      }
      absl::StatusOr<KeyDistribution> dist = ParseKeyDistribution(value.text);
      if (!dist.ok()) {
        return Invalid(dbcache::StrCat(spec.name, "=", Shown(value.text), " ",
                                       dist.status().message()));
      }
      params->dist = *dist;
      return absl::OkStatus();
    }
    case ValueKind::kName: {
      if (value.type != ValueType::kText && value.type != ValueType::kString) {
        return Invalid(dbcache::StrCat("'", spec.name,
                                       "' must be a string, not ",
                                       JsonTypeName(value.type)));
      }
      if (!IsWorkloadName(value.text)) {
        return Invalid(dbcache::StrCat(
            spec.name, "=", Shown(value.text),
            " is not a workload name (allowed: [a-z][a-z0-9_]{0,63})"));
      }
      params->workload = value.text;
      return absl::OkStatus();
    }
    case ValueKind::kDecimal: {
      absl::StatusOr<double> number = ParseDecimal(spec, value);
      if (!number.ok()) return number.status();
      params->beta = *number;
      return absl::OkStatus();
    }
    case ValueKind::kInteger:
      break;
  }
  absl::StatusOr<uint64_t> number = ParseInteger(spec, value);
  if (!number.ok()) return number.status();
  // The range checks make each of these conversions lossless.
  const auto as_int64 = static_cast<int64_t>(*number);
  switch (spec.key) {
    case RunKey::kQueries:
      params->queries = as_int64;
      break;
    case RunKey::kConcurrency:
      params->concurrency = static_cast<int32_t>(*number);
      break;
    case RunKey::kTtlMs:
      params->ttl_ms = as_int64;
      break;
    case RunKey::kLimitMax:
      params->limit_max = as_int64;
      break;
    case RunKey::kSeed:
      params->seed = *number;
      break;
    case RunKey::kRate:
      params->rate = as_int64;
      break;
    case RunKey::kLockMs:
      params->lock_ms = as_int64;
      break;
    case RunKey::kStaleMs:
      params->stale_ms = as_int64;
      break;
    case RunKey::kKeys:
      params->keys = as_int64;
      break;
    case RunKey::kTtlJitterPct:
      params->ttl_jitter_pct = as_int64;
      break;
    case RunKey::kDeleteDelayMs:
      params->delete_delay_ms = as_int64;
      break;
    case RunKey::kVerify:
      params->verify_pct = as_int64;
      break;
    case RunKey::kInvalidate:
    case RunKey::kId:
    case RunKey::kWorkload:
    case RunKey::kDist:
    case RunKey::kCache:
    case RunKey::kStampede:
    case RunKey::kBeta:
      break;
  }
  return absl::OkStatus();
}

void AppendRunParamsJson(const RunParams& run, nlohmann::ordered_json* json) {
  (*json)["workload"] = run.workload;
  (*json)["queries"] = run.queries;
  (*json)["concurrency"] = run.concurrency;
  (*json)["ttl_ms"] = run.ttl_ms;
  (*json)["limit_max"] = run.limit_max;
  (*json)["cache"] = run.cache;
  if (run.seed.has_value()) (*json)["seed"] = *run.seed;
  (*json)["stampede"] = std::string(StampedeName(run.stampede));
  (*json)["rate"] = run.rate;
  (*json)["beta"] = run.beta;
  (*json)["lock_ms"] = run.lock_ms;
  if (run.stale_ms.has_value()) (*json)["stale_ms"] = *run.stale_ms;
  if (run.dist.has_value()) (*json)["dist"] = KeyDistributionName(*run.dist);
  if (run.keys.has_value()) (*json)["keys"] = *run.keys;
  (*json)["ttl_jitter_pct"] = run.ttl_jitter_pct;
  // The write keys only when they differ from their defaults: a read-only
  // run's form stays what it was.
  if (run.invalidate != Invalidate::kTtl) {
    (*json)["invalidate"] = std::string(InvalidateName(run.invalidate));
  }
  if (run.delete_delay_ms != RunParams().delete_delay_ms) {
    (*json)["delete_delay_ms"] = run.delete_delay_ms;
  }
  if (run.verify_pct != 0) (*json)["verify"] = run.verify_pct;
}

}  // namespace dbcache::run::control
