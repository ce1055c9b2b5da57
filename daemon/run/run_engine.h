#ifndef DBCACHE_DAEMON_RUN_RUN_ENGINE_H_
#define DBCACHE_DAEMON_RUN_RUN_ENGINE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "daemon/loop/scheduler.h"
#include "daemon/mysql/mysql_executor.h"
#include "daemon/redis/redis_client.h"
#include "daemon/run/control_command.h"
#include "daemon/run/run_stats.h"
#include "daemon/run/workload.h"

namespace dbcache::run {

struct EngineConfig {
  std::string database;
  std::string prefix;
  std::string sql_template;
  // A run whose servers fail ends `failed` instead of grinding through every
  // query: this many errors in a row stop it.
  int max_consecutive_errors = 50;
};

// Runs one cache-aside query run at a time: up to `concurrency` queries in
// flight, each a GET of its digest key (a hit: the entry is validated, not
// trusted), on a miss the SQL on MySQL, its full result encoded and stored with
// PSETEX. With cache=off every query goes to MySQL and nothing is stored.
// Bookkeeping stays in memory; the caller publishes snapshots from stats() on
// its own timer.
//
//   RunEngine engine(scheduler, reader, primary, pool, config);
//   engine.SetFinishedCallback([](const RunStats& s) { PublishSummary(s); });
//   absl::Status started = engine.Start(params, "r42");  //
//   FAILED_PRECONDITION: busy
class RunEngine {
 public:
  RunEngine(loop::Scheduler& scheduler, redis::RedisClient& cache_reader,
            redis::RedisClient& primary, mysql::MysqlExecutor& executor,
            EngineConfig config);

  absl::Status Start(const RunParams& params, std::string run_id);
  // Stops issuing; the run ends `cancelled` once the queries in flight return.
  void Cancel(std::string reason = "cancelled");
  // Ends the run now with `state`, ignoring the replies still due (shutdown);
  // the queries still in flight count as errors of kind `abandoned`.
  void Abandon(RunState state, std::string reason);

  bool running() const { return stats_.state() == RunState::kRunning; }
  const RunStats& stats() const { return stats_; }
  int in_flight() const { return in_flight_; }
  int max_in_flight() const { return max_in_flight_; }
  void SetFinishedCallback(absl::AnyInvocable<void(const RunStats&)> callback) {
    on_finished_ = std::move(callback);
  }

 private:
  struct Slot {
    uint64_t seq = 0;
    std::string sql;
    std::string key;
    std::string value;  // Encoded result, reused between queries.
    int64_t start_ns = 0;
    int64_t db_start_ns = 0;
  };

  void Issue(size_t slot_index);
  void OnGet(size_t slot_index, const redis::RedisReply& reply);
  void StartDb(size_t slot_index);
  void OnDb(size_t slot_index, const absl::Status& status,
            const mysql::QueryResult* result);
  void Complete(size_t slot_index, Outcome outcome, int64_t end_ns);
  void FailQuery(size_t slot_index, ErrorKind kind, std::string_view message);
  void MaybeFinish();
  void Finish(RunState state, std::string reason);

  loop::Scheduler& scheduler_;
  redis::RedisClient& cache_reader_;
  redis::RedisClient& primary_;
  mysql::MysqlExecutor& executor_;
  const EngineConfig config_;
  RunStats stats_;
  std::optional<Workload> workload_;
  std::vector<Slot> slots_;
  std::string ttl_text_;
  // Replies carry the generation they were sent in; one from an abandoned run
  // is dropped instead of touching the next run's slots.
  uint64_t generation_ = 0;
  int in_flight_ = 0;
  // PSETEXs sent and not yet answered: the run ends after the last of them, so
  // that its final record counts every fill.
  int pending_fills_ = 0;
  int max_in_flight_ = 0;
  int consecutive_errors_ = 0;
  bool stopping_ = false;
  RunState stop_state_ = RunState::kFinished;
  std::string stop_reason_;
  absl::AnyInvocable<void(const RunStats&)> on_finished_;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_RUN_ENGINE_H_
