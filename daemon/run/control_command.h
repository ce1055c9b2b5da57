#ifndef DBCACHE_DAEMON_RUN_CONTROL_COMMAND_H_
#define DBCACHE_DAEMON_RUN_CONTROL_COMMAND_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace dbcache::run {

// Parameters of a query run, with the defaults of the original demo.
struct RunParams {
  // Ranges accepted by ParseControlMessage are in the comments.
  int64_t queries = 1000;   // 1 .. 10,000,000
  int32_t concurrency = 1;  // 1 .. 1024 queries in flight
  int64_t ttl_ms = 5000;    // 1 .. 86,400,000: expiry of each cached result
  int64_t limit_max = 75;   // 1 .. 1,000,000: LIMIT is drawn from 1..limit_max
  // Unset: the daemon picks one (and reports it).
  std::optional<uint64_t> seed;
  // [A-Za-z0-9_.:-]{1,64}; empty: the daemon makes one.
  std::string id;
  // false: every query goes to MySQL.
  bool cache = true;

  bool operator==(const RunParams& other) const = default;
};

enum class CommandKind { kRun, kCancel, kFlush, kReset, kPing };

struct ControlCommand {
  CommandKind kind = CommandKind::kPing;
  // Meaningful only for kRun.
  RunParams run;
  // Optional correlation id of any command; for kRun always equal to run.id.
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
// and likewise cancel, flush, reset and ping, which take only `id`. Plain text
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

// The canonical JSON form of a command, which ParseControlMessage accepts back
// as an equal command:
// {"cmd":"run","queries":1000,"concurrency":1,"ttl_ms":5000,
// "limit_max":75,"cache":true} plus "seed" and "id" when set.
std::string ControlCommandToJson(const ControlCommand& command);

// "run", "cancel", "flush", "reset" or "ping".
std::string_view CommandKindName(CommandKind kind);

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_CONTROL_COMMAND_H_
