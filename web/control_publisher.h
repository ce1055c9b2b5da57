#ifndef DBCACHE_WEB_CONTROL_PUBLISHER_H_
#define DBCACHE_WEB_CONTROL_PUBLISHER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/redis/sync_client.h"
#include "nlohmann/json.hpp"
#include "web/redis_pool.h"

namespace dbcache::web {

// The run state as the Redis primary has it right now (the reader may lag a
// little behind): <prefix>stats and the <prefix>daemon heartbeat, each null
// when absent or not a JSON object.
struct PrimaryRunState {
  nlohmann::json stats;
  nlohmann::json daemon;
};

// What the daemon said to a run message (ControlPublisher::StartRun).
struct RunStartAnswer {
  enum class Kind {
    kStarted,   // its run_started (or compare_started) event for the id
    kRefused,   // its error event for the id: `error` is the code (busy,
                // invalid, unknown_workload, ...), `message` its words
    kNoDaemon,  // nobody is subscribed to the control channel
    kNoAnswer,  // published, but no word for the id before the deadline
                // (or the connection failed meanwhile: `message` says how)
  };
  Kind kind = Kind::kNoAnswer;
  std::string error;
  std::string message;
};

// Sends control messages to the daemon: PUBLISH on <prefix>control on the
// Redis primary, through a connection pool (reconnecting after errors).
// Thread-safe.
//
//   ControlPublisher publisher(primary_endpoint, "dbcache:");
//   absl::StatusOr<long long> receivers =
//       publisher.Publish(R"({"cmd":"run","queries":1000})");
//   if (receivers.ok() && *receivers == 0) { /* no daemon is listening */ }
class ControlPublisher {
 public:
  ControlPublisher(redis::SyncEndpoint primary, std::string prefix);

  // PUBLISHes `message`; returns how many subscribers received it.
  absl::StatusOr<long long> Publish(std::string_view message);

  // PUBLISHes the run message `message` and waits up to `timeout` for the
  // daemon's run_started or error event for `id` on <prefix>events, to which
  // it subscribes first. Errors are Redis's before anything was published
  // (unreachable, refused).
  //
  //   absl::StatusOr<RunStartAnswer> answer =
  //       publisher.StartRun(message, "r1", absl::Seconds(10));
  //   if (answer.ok() && answer->kind == RunStartAnswer::Kind::kStarted) ...
  absl::StatusOr<RunStartAnswer> StartRun(std::string_view message,
                                          std::string_view id,
                                          absl::Duration timeout);

  // Reads <prefix>stats and <prefix>daemon from the primary in one round trip.
  absl::StatusOr<PrimaryRunState> ReadRunState();

  const std::string& channel() const { return channel_; }
  const redis::SyncEndpoint& endpoint() const { return pool_.endpoint(); }

 private:
  const std::string prefix_;
  const std::string channel_;
  const std::string events_channel_;
  RedisPool pool_;
};

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_CONTROL_PUBLISHER_H_
