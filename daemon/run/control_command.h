#ifndef DBCACHE_DAEMON_RUN_CONTROL_COMMAND_H_
#define DBCACHE_DAEMON_RUN_CONTROL_COMMAND_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "daemon/run/load/key_distribution.h"

namespace dbcache::run {

// What concurrent misses of one key do (stampede=): see daemon/run/stampede/.
enum class Stampede { kNone, kCoalesce, kLock, kXFetch, kSwr };

// What a committed write does to the cached reads it affects (invalidate=).
enum class Invalidate {
  kTtl,           // nothing: they live until they expire
  kDelete,        // DEL them
  kWriteThrough,  // re-read each from MySQL and SET it
  kDeleteTwice,   // DEL them, and again after delete_delay_ms
};

// Parameters of a query run, with the defaults of the original demo. The keys
// that set them, their ranges and help are in one table (run_keys.h).
struct RunParams {
  int64_t queries = 1000;
  int32_t concurrency = 1;  // queries in flight at most
  int64_t ttl_ms = 5000;    // expiry of each cached result
  int64_t limit_max = 75;   // LIMIT is drawn from 1..limit_max
  // Unset: the daemon picks one (and reports it).
  std::optional<uint64_t> seed;
  // Empty: the daemon makes one.
  std::string id;
  // false: every query goes to MySQL.
  bool cache = true;
  Stampede stampede = Stampede::kCoalesce;
  // Queries per second on a fixed schedule (open loop); 0: each slot issues
  // its next query when the last one returns (closed loop).
  int64_t rate = 0;
  // xfetch: how early entries are recomputed (the paper's beta).
  double beta = 1.0;
  // lock: how long the fill lock lives.
  int64_t lock_ms = 1000;
  // swr: how long past ttl_ms an entry is still served while it is refreshed;
  // unset: ttl_ms.
  std::optional<int64_t> stale_ms;
  // How the parameter values are picked (dist=; unset: as the workload file
  // says, uniform for the demo), and how many there are (keys=; unset: each
  // parameter's whole range or sample, limit_max for the demo).
  std::optional<KeyDistribution> dist;
  std::optional<int64_t> keys;
  // Each fill's expiry is drawn from ttl_ms * (1 +- ttl_jitter_pct / 100).
  int64_t ttl_jitter_pct = 0;
  // The named workload (workload=): its statements come from the daemon's
  // workload file, never from the message.
  std::string workload = "demo";
  // Writes: what each commit does to the reads it affects, and delete_twice's
  // delay.
  Invalidate invalidate = Invalidate::kTtl;
  int64_t delete_delay_ms = 100;
  // The share of hits, in percent, re-read from MySQL and compared row for
  // row with what the cache served.
  int64_t verify_pct = 0;

  bool operator==(const RunParams& other) const = default;
};

std::string_view StampedeName(Stampede stampede);
std::string_view InvalidateName(Invalidate invalidate);

// The number of distinct parameter values the demo workload draws from.
inline int64_t EffectiveKeys(const RunParams& params) {
  return params.keys.value_or(params.limit_max);
}

// Workload names: [a-z][a-z0-9_]{0,63}.
inline constexpr size_t kMaxWorkloadNameSize = 64;
bool IsWorkloadName(std::string_view name);

// kCompare runs the same seeded workload twice, with cache=off and then from
// a flushed cache with cache=on: the measured effect of the cache.
enum class CommandKind { kRun, kCompare, kCancel, kFlush, kReset, kPing };

// run and compare take run keys; the others only an id.
inline bool TakesRunParams(CommandKind kind) {
  return kind == CommandKind::kRun || kind == CommandKind::kCompare;
}

// A compare's runs are "<id>-off" and "<id>-on", within the 64 of a run id.
inline constexpr size_t kMaxCompareIdSize = 60;

struct ControlCommand {
  CommandKind kind = CommandKind::kPing;
  // Meaningful only for kRun and kCompare (whose cache it ignores).
  RunParams run;
  // Optional correlation id of any command; for kRun and kCompare always
  // equal to run.id.
  std::string id;

  bool operator==(const ControlCommand& other) const = default;
};

// Largest control message accepted, in bytes.
inline constexpr size_t kMaxControlMessageSize = 65536;

// Parses one message from the control channel. Two forms are accepted:
//
//   run queries=1000 concurrency=8 ttl_ms=5000 limit_max=75 seed=7 id=r42
//   cache=off
//   {"cmd":"run","queries":1000,"concurrency":8,"cache":false,"id":"r42"}
//
// compare takes run's keys but cache; cancel, flush, reset and ping take only
// `id`. Plain text
// is a command word then key=value pairs separated by ASCII whitespace; JSON is
// one flat object whose numbers are integers. Anything else fails with
// InvalidArgumentError whose message names the problem ("unknown key 'querys'
// (did you mean 'queries'?)", "queries=0 is out of range 1..10000000", ...),
// suitable for an `error` event. Never throws; JSON nesting is rejected as soon
// as it is seen, so deeply nested input costs no recursion.
//
//   absl::StatusOr<ControlCommand> command = ParseControlMessage(payload);
//   if (!command.ok()) { PublishError(command.status().message()); return; }
//   if (command->kind == CommandKind::kRun) StartRun(command->run);
absl::StatusOr<ControlCommand> ParseControlMessage(std::string_view message);

// The id a message names, whether or not it parses, so that a refusal can
// still reach whoever waits for that id: the "id" string of a JSON object, or
// the value of an id=... word of plain text; "" when there is none or it is
// not a valid id.
//
//   PublishError(status.message(), ClaimedId(message));
std::string ClaimedId(std::string_view message);

// The canonical JSON form of a command, which ParseControlMessage accepts back
// as an equal command:
// {"cmd":"run","queries":1000,"concurrency":1,"ttl_ms":5000,
// "limit_max":75,"cache":true} plus "seed" and "id" when set.
std::string ControlCommandToJson(const ControlCommand& command);

// "run", "compare", "cancel", "flush", "reset" or "ping".
std::string_view CommandKindName(CommandKind kind);

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_CONTROL_COMMAND_H_
