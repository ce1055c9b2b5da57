#ifndef DBCACHE_DAEMON_APP_PUBLISHER_H_
#define DBCACHE_DAEMON_APP_PUBLISHER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "daemon/redis/redis_client.h"
#include "daemon/run/stats_json.h"
#include "nlohmann/json.hpp"

namespace dbcache::app {

// Writes what users read to the Redis primary, in as few round trips as
// possible: a snapshot is one MULTI/EXEC batch (stats + the recent-query log),
// a summary another (LPUSH + LTRIM of dbcache:runs). Bookkeeping never costs a
// round trip per query.
//
//   Publisher publisher(primary, "dbcache:");
//   publisher.PublishSnapshot(stats, context, [] { /* EXEC answered */ });
//   publisher.PublishEvent({{"event", "pong"}});
class Publisher {
 public:
  static constexpr int kRunsKept = 100;
  // A compare's record holds both runs' series: fewer are kept.
  static constexpr int kComparesKept = 20;

  Publisher(redis::RedisClient& primary, std::string prefix);

  // Called once Redis answered; `ok` is false when the write did not happen.
  using Done = absl::AnyInvocable<void(bool ok)>;
  void PublishSnapshot(const run::RunStats& stats,
                       const run::SnapshotContext& context,
                       Done done = nullptr);
  void PublishSummary(const run::RunStats& stats,
                      const run::SnapshotContext& context, Done done = nullptr);
  // LPUSH + LTRIM of <prefix>compares.
  void PublishComparison(const nlohmann::json& record, Done done = nullptr);
  void PublishEvent(const nlohmann::json& event);
  void PublishHeartbeat(const nlohmann::json& heartbeat, int64_t ttl_ms);
  void RemoveHeartbeat(Done done);
  // DEL stats, runs, log and compares.
  void ResetHistory(Done done);

  uint64_t failures() const { return failures_; }
  const std::string& last_error() const { return last_error_; }

 private:
  // Counts a failure; returns whether the reply is a success.
  bool Track(const redis::RedisReply& reply);
  std::string Key(std::string_view suffix) const;

  redis::RedisClient& primary_;
  const std::string prefix_;
  uint64_t failures_ = 0;
  std::string last_error_;
};

}  // namespace dbcache::app

#endif  // DBCACHE_DAEMON_APP_PUBLISHER_H_
