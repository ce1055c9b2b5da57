#ifndef DBCACHE_DAEMON_RUN_RUN_ENGINE_H_
#define DBCACHE_DAEMON_RUN_RUN_ENGINE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "daemon/loop/scheduler.h"
#include "daemon/mysql/mysql_executor.h"
#include "daemon/redis/redis_client.h"
#include "daemon/run/control_command.h"
#include "daemon/run/daemon_totals.h"
#include "daemon/run/freshness/version_ledger.h"
#include "daemon/run/load/open_loop_schedule.h"
#include "daemon/run/policy_host.h"
#include "daemon/run/query.h"
#include "daemon/run/run_stats.h"
#include "daemon/run/stampede/stampede_policy.h"
#include "daemon/run/workload/workload.h"
#include "daemon/run/workload/workload_preparer.h"
#include "daemon/run/workload/workload_spec.h"

namespace dbcache::run {

struct EngineConfig {
  std::string database;
  std::string prefix;
  std::string sql_template;
  // A run whose servers fail ends `failed` instead of grinding through every
  // query: this many errors in a row stop it.
  int max_consecutive_errors = 50;
};

// Runs one cache-aside query run at a time: a scheduler of query slots. It
// wires the parts of run/ together and owns nothing of their logic:
// - the workload renders each query's SQL and key (workload.h);
// - the load shape decides when a query starts: as soon as a slot frees
//   (closed loop), or on a fixed schedule (open loop, rate=:
//   load/open_loop_schedule.h), counting late starts;
// - the stampede policy decides what a hit and a miss do (stampede/);
// - the stats count and time everything (run_stats.h).
// Every query is a GET of its key (a hit is validated, not trusted); on a miss
// the policy loads it (the SQL on MySQL, the rows encoded and stored with
// PSETEX). With cache=off every query goes to MySQL and nothing is stored. A
// run ends once its last query and its last fill or refresh have answered.
//
//   RunEngine engine(scheduler, reader, primary, pool, config);
//   engine.SetFinishedCallback([](const RunStats& s) { PublishSummary(s); });
//   // FailedPreconditionError while another run is going.
//   absl::Status started = engine.Start(params, "r42");
class RunEngine : private PolicyHost {
 public:
  RunEngine(loop::Scheduler& scheduler, redis::RedisClient& cache_reader,
            redis::RedisClient& primary, mysql::MysqlExecutor& executor,
            EngineConfig config);
  ~RunEngine() override;

  // The demo workload: config.sql_template over 1..EffectiveKeys(params).
  absl::Status Start(const RunParams& params, std::string run_id);
  // A named workload with its parameters' values (workload_preparer.h).
  absl::Status Start(const RunParams& params, std::string run_id,
                     const WorkloadSpec& workload, WorkloadDomains domains);
  // Stops issuing; the run ends `cancelled` once the queries in flight return.
  void Cancel(std::string reason = "cancelled");
  // Ends the run now with `state`, ignoring the replies still due (shutdown);
  // the queries still in flight count as errors of kind `abandoned`.
  void Abandon(RunState state, std::string reason);

  bool running() const { return stats_.state() == RunState::kRunning; }
  const RunStats& stats() const { return stats_; }
  const DaemonTotals& totals() const { return totals_; }
  int in_flight() const { return in_flight_; }
  int max_in_flight() const { return max_in_flight_; }
  void SetFinishedCallback(absl::AnyInvocable<void(const RunStats&)> callback) {
    on_finished_ = std::move(callback);
  }
  // An error event of the run (code, message): verify= found rows that no
  // write explains.
  void SetErrorEventCallback(
      absl::AnyInvocable<void(std::string_view, std::string_view)> callback) {
    on_error_event_ = std::move(callback);
  }

 private:
  // PolicyHost.
  void Hit(Query& q) override;
  void Complete(Query& q, Outcome outcome) override;
  void Fail(Query& q, ErrorKind kind, std::string_view message) override;
  void Load(Query& q, Loaded loaded, Stored stored) override;
  void Refresh(std::string_view sql, std::string_view key,
               absl::AnyInvocable<void(bool ok)> done) override;
  void RetryGet(Query& q, absl::Duration delay) override;
  void PrimaryCommand(Query& q, std::initializer_list<std::string_view> argv,
                      redis::ReplyCallback callback) override;
  void PrimaryCommand(std::initializer_list<std::string_view> argv,
                      redis::ReplyCallback callback) override;
  int64_t NowNanos() const override { return scheduler_.NowNanos(); }
  uint64_t WallMillis() const override;
  double Uniform01() override;
  const RunParams& params() const override { return stats_.params(); }
  RunStats& run_stats() override { return stats_; }

  void Issue(size_t slot, int64_t intended_ns);
  // Starts every query the load shape allows now.
  void Pump();
  void Get(Query& q);
  void OnGet(Query& q, const redis::RedisReply& reply);
  void LoadUncached(Query& q);
  // A write statement, then what invalidate= does to the reads it affects.
  void Write(Query& q);
  void Invalidate(Query& q);
  // DELs `keys` on the primary, counting them as invalidations.
  void Delete(const std::vector<std::string>& keys,
              absl::AnyInvocable<void(bool ok)> done);
  void SecondDeletes();
  // A hit's rows against the ledger, and verify='s re-read.
  void Judge(Query& q);
  void Verify(Query& q);
  // Runs `sql` and stores its rows under `key` (a refresh, a write-through).
  void Reload(std::string_view sql, std::string_view key,
              absl::AnyInvocable<void(bool ok)> done);
  uint64_t NextVersion();
  // Encodes `result` into *value and sends its PSETEX; `done(ok)` on the
  // answer. Counts the fill as pending until then.
  void Store(std::string_view key, std::string* value,
             const mysql::QueryResult& result, const mysql::QueryTiming& timing,
             absl::AnyInvocable<void(bool ok)> done);
  void Release(Query& q);
  void MaybeFinish();
  void Finish(RunState state, std::string reason);
  // True while `q` is still query `seq` of the run of `generation`.
  bool Alive(const Query& q, uint64_t seq, uint64_t generation) const {
    return generation == generation_ && q.seq == seq;
  }

  loop::Scheduler& scheduler_;
  redis::RedisClient& cache_reader_;
  redis::RedisClient& primary_;
  mysql::MysqlExecutor& executor_;
  const EngineConfig config_;
  RunStats stats_;
  // Every finished run added up: the daemon's counters for /metrics.
  DaemonTotals totals_;
  std::optional<Workload> workload_;
  std::unique_ptr<StampedePolicy> policy_;
  StorePlan plan_;
  std::string px_text_;
  std::vector<Query> slots_;
  std::vector<size_t> free_slots_;
  // Open loop: when each query is due, how many have been started, and
  // whether the schedule found due queries with every slot busy and has not
  // caught up since.
  std::optional<OpenLoopSchedule> schedule_;
  uint64_t scheduled_ = 0;
  bool behind_ = false;
  std::unique_ptr<loop::Timer> schedule_timer_;
  std::mt19937_64 rng_;
  std::mt19937_64 jitter_rng_;
  // Replies carry the generation they were sent in; one from an abandoned run
  // is dropped instead of touching the next run's slots.
  uint64_t generation_ = 0;
  int in_flight_ = 0;
  // Fills and refreshes sent and not yet answered: the run ends after the
  // last of them, so that its final record counts every one.
  int pending_background_ = 0;
  int max_in_flight_ = 0;
  int consecutive_errors_ = 0;
  bool stopping_ = false;
  RunState stop_state_ = RunState::kFinished;
  std::string stop_reason_;
  absl::AnyInvocable<void(const RunStats&)> on_finished_;
  absl::AnyInvocable<void(std::string_view, std::string_view)> on_error_event_;
  // Writes: the ground truth of staleness, the last version given, the
  // verify= draws, and delete_twice's second deletes (due in order, as the
  // delay is the run's).
  VersionLedger ledger_;
  uint64_t last_version_ = 0;
  std::mt19937_64 verify_rng_;
  struct SecondDelete {
    int64_t due_ns;
    std::vector<std::string> keys;
  };
  std::deque<SecondDelete> second_deletes_;
  std::unique_ptr<loop::Timer> second_delete_timer_;
  int unexplained_events_ = 0;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_RUN_ENGINE_H_
