#ifndef DBCACHE_DAEMON_APP_DAEMON_H_
#define DBCACHE_DAEMON_APP_DAEMON_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/app/cache_flusher.h"
#include "daemon/app/comparison.h"
#include "daemon/app/notifier.h"
#include "daemon/app/publisher.h"
#include "daemon/config/settings.h"
#include "daemon/loop/event_loop.h"
#include "daemon/loop/libevent_scheduler.h"
#include "daemon/loop/signal_watcher.h"
#include "daemon/mysql/async_connection.h"
#include "daemon/mysql/pool.h"
#include "daemon/redis/fallback_client.h"
#include "daemon/redis/redis_connection.h"
#include "daemon/run/control_command.h"
#include "daemon/run/run_engine.h"
#include "daemon/run/workload/workload_catalog.h"
#include "daemon/run/workload/workload_preparer.h"
#include "nlohmann/json.hpp"

namespace dbcache::app {

// dbcached: one thread, one event loop. Subscribes to <prefix>control, runs the
// commands it receives (run, cancel, flush, reset, ping), publishes stats
// snapshots every 100 ms during a run, a heartbeat every second, and events;
// exits 0 within a few seconds of SIGTERM/SIGINT with the final snapshot and
// summary written.
//
// A run names one of `workloads` (the demo, built in, and those of the
// workload file); a named one's samples are read before it starts.
//
// Its definitions are in three files by job: daemon.cc (wiring, connection
// states, heartbeat, shutdown), daemon_control.cc (the control commands, runs
// and compares started) and daemon_records.cc (snapshots, final records and
// their retry).
//
//   Daemon daemon(settings, run::WorkloadCatalog(settings.sql_template));
//   return daemon.Run();
class Daemon {
 public:
  Daemon(config::Settings settings, run::WorkloadCatalog workloads);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until a shutdown signal; returns the exit code.
  int Run();

 private:
  void OnControl(std::string_view message);
  // False, having said why, when a run or compare cannot start now.
  bool AcceptRunCommand(const run::ControlCommand& command);
  void HandleRun(const run::ControlCommand& command);
  void HandleCompare(const run::ControlCommand& command);
  // Opens the run's connections and starts it (StartWarmedRun).
  void BeginRun(const run::ControlCommand& command);
  // A run accepted did not start: a compare it belonged to ends.
  void RunNotStarted(std::string_view state, std::string_view why);
  void OnComparisonRunFinished(const run::RunStats& stats);
  // Writes the compare's record, says compare_finished, forgets it.
  void EndComparison(std::string_view state, std::string_view reason);
  // Writes compare_record_pending_ (<prefix>compares) unless a write is on
  // its way.
  void PublishComparisonRecord();
  // False, having dropped it (and said so if it was cancelled), when the run
  // in starting_ is no longer to start.
  bool StartingRunWanted();
  void StartWarmedRun();
  void OnWorkloadPrepared(const run::WorkloadSpec& spec,
                          absl::StatusOr<run::WorkloadDomains> domains);
  // Starts the run in starting_ (spec null: the demo).
  void StartRun(const run::WorkloadSpec* spec, run::WorkloadDomains domains);
  void HandleFlush(const run::ControlCommand& command);
  void HandleReset(const run::ControlCommand& command);
  void PublishError(std::string_view code, std::string_view message,
                    std::string_view input, std::string_view id);
  void OnSnapshotTick();
  void PublishSnapshot(Publisher::Done done = nullptr);
  void OnRunFinished(const run::RunStats& stats);
  void PublishFinal();
  void OnHeartbeat();
  void OnConnectionState();
  void UpdateStatus();
  void BeginShutdown(std::string_view why);
  void FinishShutdown();
  nlohmann::json HeartbeatJson() const;
  run::SnapshotContext Context(bool histograms) const;
  // <prefix><UTC time>-<4 hex digits>.
  std::string NewId(std::string_view prefix);

  const config::Settings settings_;
  loop::EventLoop loop_;
  loop::LibeventScheduler scheduler_;
  redis::RedisConnection primary_;
  redis::RedisConnection reader_;
  redis::RedisConnection subscriber_;
  // Where cache GETs go: the reader (falling back to the primary while it is
  // down, unless configured not to) or the primary.
  redis::FallbackClient cache_reads_;
  // The pool's connections refer to these for their whole life.
  const mysql::MysqlOptions mysql_options_;
  mysql::Pool pool_;
  Publisher publisher_;
  CacheFlusher flusher_;
  const run::WorkloadCatalog workloads_;
  run::WorkloadPreparer preparer_;
  run::RunEngine engine_;
  Notifier notifier_;
  std::unique_ptr<loop::Timer> snapshot_timer_;
  std::unique_ptr<loop::Timer> heartbeat_timer_;
  std::unique_ptr<loop::Timer> shutdown_timer_;
  std::unique_ptr<loop::Timer> exit_timer_;
  loop::SignalWatcher sigterm_;
  loop::SignalWatcher sigint_;
  loop::SignalWatcher sighup_;
  absl::Time started_at_;
  std::string hostname_;
  uint64_t control_messages_ = 0;
  uint64_t control_errors_ = 0;
  uint64_t runs_started_ = 0;
  uint64_t published_done_ = UINT64_MAX;
  uint64_t run_counter_ = 0;
  // A run accepted but waiting for its MySQL connections (Pool::Warm), then
  // for its workload's samples.
  struct StartingRun {
    run::ControlCommand command;
    std::string id;
    bool cancelled = false;
  };
  std::optional<StartingRun> starting_;
  // The compare going, from its compare message to its record.
  std::optional<Comparison> comparison_;
  // Which compare the last run started belongs to, for its snapshots and
  // summary (kept after the compare ends: a summary can be written late).
  struct RunTag {
    std::string run_id;
    std::string compare_id;
    std::string compare_role;
  };
  RunTag run_tag_;
  // The last compare's record until Redis took it.
  std::optional<nlohmann::json> compare_record_pending_;
  bool compare_record_in_flight_ = false;
  // The last run's final snapshot + summary still have to reach Redis.
  bool final_pending_ = false;
  bool final_in_flight_ = false;
  bool shutting_down_ = false;
  bool exiting_ = false;
};

}  // namespace dbcache::app

#endif  // DBCACHE_DAEMON_APP_DAEMON_H_
