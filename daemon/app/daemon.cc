#include "daemon/app/daemon.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <random>

#include "daemon/common/json_fields.h"
#include "daemon/common/log.h"
#include "daemon/common/str_cat.h"
#include "daemon/run/control/run_keys.h"
#include "daemon/run/stats_json.h"

namespace dbcache::app {
namespace {

constexpr absl::Duration kHeartbeatInterval = absl::Seconds(1);
constexpr int64_t kHeartbeatTtlMs = 3000;
// SIGTERM: the run in flight gets this long to drain, then it is abandoned...
constexpr absl::Duration kDrainLimit = absl::Seconds(3);
// ...and the process exits this long after that whatever Redis says.
constexpr absl::Duration kExitLimit = absl::Milliseconds(1500);
constexpr size_t kEchoedInputBytes = 120;

redis::RedisConnectionOptions RedisOptions(const config::Settings& s,
                                           std::string name,
                                           const config::Endpoint& endpoint) {
  redis::RedisConnectionOptions o;
  o.name = std::move(name);
  o.host = endpoint.host;
  o.port = endpoint.port;
  o.username = s.redis_username;
  o.password = s.redis_password;
  o.connect_timeout = s.connect_timeout;
  o.command_timeout = s.command_timeout;
  o.ping_interval = s.redis_ping_interval;
  return o;
}

mysql::MysqlOptions MysqlOptionsFrom(const config::Settings& s) {
  mysql::MysqlOptions o;
  o.host = s.mysql_host;
  o.port = s.mysql_port;
  o.user = s.mysql_user;
  o.password = s.mysql_password;
  o.database = s.mysql_database;
  o.connect_timeout = s.connect_timeout;
  o.query_timeout = s.query_timeout;
  o.tls = s.mysql_tls;
  return o;
}

std::string Hostname() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0) return "unknown";
  return buffer;
}

}  // namespace

Daemon::Daemon(config::Settings settings, run::WorkloadCatalog workloads)
    : settings_(std::move(settings)),
      scheduler_(loop_),
      primary_(loop_, scheduler_,
               RedisOptions(settings_, "primary", settings_.redis_primary)),
      reader_(loop_, scheduler_,
              RedisOptions(settings_, "reader", settings_.redis_reader)),
      subscriber_(
          loop_, scheduler_,
          RedisOptions(settings_, "subscriber", settings_.redis_primary)),
      cache_reads_(settings_.cache_reads == config::CacheReads::kReader
                       ? static_cast<redis::RedisClient&>(reader_)
                       : static_cast<redis::RedisClient&>(primary_),
                   settings_.cache_reads == config::CacheReads::kReader &&
                           settings_.reader_fallback
                       ? &primary_
                       : nullptr),
      mysql_options_(MysqlOptionsFrom(settings_)),
      pool_(
          scheduler_,
          [this] {
            return std::make_unique<mysql::AsyncConnection>(loop_, scheduler_,
                                                            mysql_options_);
          },
          settings_.mysql_pool_max),
      publisher_(primary_, settings_.prefix),
      flusher_(primary_, settings_.prefix),
      workloads_(std::move(workloads)),
      preparer_(pool_),
      engine_(scheduler_, cache_reads_, primary_, pool_,
              run::EngineConfig{settings_.mysql_database, settings_.prefix,
                                settings_.sql_template}),
      notifier_(scheduler_),
      sigterm_(loop_, SIGTERM, [this] { BeginShutdown("SIGTERM"); }),
      sigint_(loop_, SIGINT, [this] { BeginShutdown("SIGINT"); }),
      sighup_(loop_, SIGHUP,
              [this] {
                LogInfo("SIGHUP: settings are read at start only; state: %s",
                        run::DumpJson(HeartbeatJson()));
              }),
      started_at_(scheduler_.WallNow()),
      hostname_(Hostname()) {
  pool_.SetIdleProbeAfter(settings_.mysql_idle_probe);
  snapshot_timer_ = scheduler_.CreateTimer([this] { OnSnapshotTick(); });
  heartbeat_timer_ = scheduler_.CreateTimer([this] { OnHeartbeat(); });
  shutdown_timer_ = scheduler_.CreateTimer([this] {
    LogWarning("run %s did not drain in %d s; abandoning it",
               engine_.stats().run_id(), absl::ToInt64Seconds(kDrainLimit));
    engine_.Abandon(run::RunState::kCancelled,
                    "daemon shutting down; queries still in flight abandoned");
  });
  exit_timer_ = scheduler_.CreateTimer([this] {
    LogWarning("exiting before Redis confirmed the final writes");
    loop_.Exit();
  });
  engine_.SetFinishedCallback(
      [this](const run::RunStats& stats) { OnRunFinished(stats); });
  engine_.SetErrorEventCallback(
      [this](std::string_view code, std::string_view message) {
        LogWarning("%s", message);
        publisher_.PublishEvent({{"event", "error"},
                                 {"error", code},
                                 {"message", message},
                                 {"id", engine_.stats().run_id()}});
      });
  subscriber_.SetSubscription(
      settings_.Key("control"),
      [this](std::string_view message) { OnControl(message); });
  auto on_state = [this](redis::RedisState) { OnConnectionState(); };
  primary_.SetStateListener(on_state);
  reader_.SetStateListener(on_state);
  subscriber_.SetStateListener(on_state);
}

Daemon::~Daemon() {
  // What the loop still holds (a failed command's callback, a pool's drain)
  // refers to the engine, the pool and the connections, which are destroyed
  // before the loop (its first member): drop it unrun while they exist.
  loop_.DiscardPosted();
}

int Daemon::Run() {
  LogInfo(
      "dbcached %s starting: redis primary %s:%d, reader %s:%d, mysql %s:%d/%s "
      "as '%s', prefix '%s'",
      DBCACHE_VERSION, settings_.redis_primary.host,
      settings_.redis_primary.port, settings_.redis_reader.host,
      settings_.redis_reader.port, settings_.mysql_host, settings_.mysql_port,
      settings_.mysql_database, settings_.mysql_user, settings_.prefix);
  UpdateStatus();
  primary_.Start();
  reader_.Start();
  subscriber_.Start();
  heartbeat_timer_->Enable(absl::ZeroDuration());
  loop_.Run();
  LogInfo("dbcached stopped");
  return 0;
}

void Daemon::OnConnectionState() {
  // The heartbeat shows connection states: a change is worth a write now rather
  // than at the next tick.
  if (primary_.connected() && !exiting_) {
    publisher_.PublishHeartbeat(HeartbeatJson(), kHeartbeatTtlMs);
    if (final_pending_ && !engine_.running() && !final_in_flight_) {
      LogInfo("run %s: writing its final snapshot and summary now",
              engine_.stats().run_id());
      PublishFinal();
    }
    if (compare_record_pending_.has_value()) {
      LogInfo("compare %s: writing its record now",
              Text(*compare_record_pending_, "compare_id"));
      PublishComparisonRecord();
    }
  }
  // Ready means: commands can arrive (subscribed) and results can be written.
  if (!notifier_.ready_sent() && subscriber_.connected() &&
      primary_.connected()) {
    notifier_.Ready();
    LogInfo("ready: listening on %s", settings_.Key("control"));
  }
  UpdateStatus();
}

void Daemon::UpdateStatus() {
  std::string status;
  if (shutting_down_) {
    status = "stopping";
  } else if (engine_.running()) {
    const run::RunStats& s = engine_.stats();
    const uint64_t total = static_cast<uint64_t>(s.params().queries);
    status = StrCat("run ", s.run_id(), " at ",
                    total == 0 ? 0 : s.done() * 100 / total, "%");
  } else if (comparison_.has_value()) {
    status = StrCat("compare ", comparison_->id(), " between its runs");
  } else {
    status = "idle";
  }
  for (const redis::RedisConnection* c : {&primary_, &reader_, &subscriber_}) {
    if (c->state() != redis::RedisState::kConnected) {
      StrAppend(&status, "; ", redis::RedisStateName(c->state()), " to ",
                c->options().name, c->last_error().empty() ? "" : " (",
                c->last_error(), c->last_error().empty() ? "" : ")");
    }
  }
  notifier_.Status(status);
}

void Daemon::OnControl(std::string_view message) {
  if (shutting_down_) return;
  ++control_messages_;
  absl::StatusOr<run::ControlCommand> command =
      run::ParseControlMessage(message);
  if (!command.ok()) {
    // A message with a bad field still names its sender's id, so that
    // whoever waits for this answer (dbcachectl, the web) hears it.
    PublishError("invalid", AsStd(command.status().message()), message,
                 run::ClaimedId(message));
    return;
  }
  switch (command->kind) {
    case run::CommandKind::kRun:
      HandleRun(*command);
      return;
    case run::CommandKind::kCompare:
      HandleCompare(*command);
      return;
    case run::CommandKind::kCancel:
      if (comparison_.has_value() &&
          comparison_->phase() == Comparison::Phase::kFlush) {
        EndComparison("cancelled", "cancelled between its two runs");
        return;
      }
      if (starting_.has_value()) {
        starting_->cancelled = true;
        return;
      }
      if (!engine_.running()) {
        PublishError("not_running", "no run is going", message, command->id);
        return;
      }
      LogInfo("cancelling run %s", engine_.stats().run_id());
      engine_.Cancel();
      return;
    case run::CommandKind::kFlush:
      HandleFlush(*command);
      return;
    case run::CommandKind::kReset:
      HandleReset(*command);
      return;
    case run::CommandKind::kPing:
      publisher_.PublishEvent(
          {{"event", "pong"},
           {"id", command->id},
           {"version", DBCACHE_VERSION},
           {"state",
            engine_.running() || comparison_.has_value() ? "running" : "idle"},
           {"run_id", engine_.running()
                          ? nlohmann::json(engine_.stats().run_id())
                          : nlohmann::json(nullptr)}});
      return;
  }
}

void Daemon::PublishError(std::string_view code, std::string_view message,
                          std::string_view input, std::string_view id) {
  ++control_errors_;
  LogWarning("control message rejected: %s", message);
  nlohmann::json event = {{"event", "error"},
                          {"error", code},
                          {"message", message},
                          {"input", input.substr(0, kEchoedInputBytes)},
                          {"input_bytes", input.size()}};
  if (!id.empty()) event["id"] = id;
  publisher_.PublishEvent(event);
}

std::string Daemon::NewId(std::string_view prefix) {
  ++run_counter_;
  std::mt19937 rng(static_cast<uint32_t>(scheduler_.NowNanos()) ^
                   static_cast<uint32_t>(getpid()));
  return StrCat(prefix,
                absl::FormatTime("%Y%m%d-%H%M%S", scheduler_.WallNow(),
                                 absl::UTCTimeZone()),
                "-", absl::Hex(rng() & 0xffff, absl::kZeroPad4));
}

bool Daemon::AcceptRunCommand(const run::ControlCommand& command) {
  if (workloads_.Find(command.run.workload) == nullptr) {
    PublishError("unknown_workload",
                 StrCat("unknown workload '", command.run.workload,
                        "' (this daemon has: ", workloads_.Names(), ")"),
                 "", command.id);
    return false;
  }
  if (engine_.running() || starting_.has_value()) {
    PublishError("busy",
                 StrCat("busy: run ",
                        starting_.has_value()
                            ? StrCat(starting_->id, " is starting")
                            : StrCat(engine_.stats().run_id(), " is going (",
                                     engine_.stats().done(), "/",
                                     engine_.stats().params().queries, ")"),
                        comparison_.has_value()
                            ? StrCat(", part of compare ", comparison_->id())
                            : std::string()),
                 "", command.id);
    return false;
  }
  if (comparison_.has_value()) {
    PublishError(
        "busy",
        StrCat("busy: compare ", comparison_->id(), " is between its two runs"),
        "", command.id);
    return false;
  }
  // A flush still going (one a cancelled compare left, or a user's) would
  // delete the new run's fresh entries under it.
  if (flusher_.flushing()) {
    PublishError("busy", "busy: a flush of the cache is going", "", command.id);
    return false;
  }
  return true;
}

void Daemon::HandleRun(const run::ControlCommand& command) {
  if (AcceptRunCommand(command)) BeginRun(command);
}

void Daemon::HandleCompare(const run::ControlCommand& command) {
  if (!AcceptRunCommand(command)) return;
  run::RunParams params = command.run;
  if (params.id.empty()) params.id = NewId("c");
  // Both runs draw the same statements in the same order.
  if (!params.seed.has_value()) {
    std::random_device random;
    params.seed = (uint64_t{random()} << 32) ^ random();
  }
  comparison_.emplace(params.id, params, scheduler_.WallNow());
  LogInfo("compare %s started: cache=off run %s, then cache=on run %s, seed %d",
          comparison_->id(), comparison_->RunId(false),
          comparison_->RunId(true), *params.seed);
  publisher_.PublishEvent(
      {{"event", "compare_started"},
       {"id", comparison_->id()},
       {"runs", {comparison_->RunId(false), comparison_->RunId(true)}},
       {"seed", *params.seed}});
  BeginRun(comparison_->RunCommand());
}

void Daemon::BeginRun(const run::ControlCommand& command) {
  std::string id = command.run.id.empty() ? NewId("r") : command.run.id;
  const int connections = static_cast<int>(
      std::min<int64_t>(command.run.concurrency, command.run.queries));
  pool_.SetTargetSize(connections);
  starting_ = StartingRun{command, std::move(id), false};
  // The run starts once its MySQL connections are open (a few ms the first
  // time, nothing after): a connect must not pass for a slow query.
  pool_.Warm(connections, [this] { StartWarmedRun(); });
}

bool Daemon::StartingRunWanted() {
  if (!starting_.has_value()) return false;
  if (shutting_down_) {
    starting_.reset();
    RunNotStarted("cancelled", "daemon shutting down");
    return false;
  }
  if (starting_->cancelled) {
    PublishError("cancelled",
                 StrCat("run ", starting_->id, " cancelled before it started"),
                 "", starting_->command.id);
    starting_.reset();
    RunNotStarted("cancelled", "cancelled before its run started");
    return false;
  }
  return true;
}

void Daemon::RunNotStarted(std::string_view state, std::string_view why) {
  if (comparison_.has_value()) EndComparison(state, why);
}

void Daemon::StartWarmedRun() {
  if (!StartingRunWanted()) return;
  const run::WorkloadSpec* spec =
      workloads_.Find(starting_->command.run.workload);
  if (spec == nullptr || spec->name == "demo") {
    StartRun(nullptr, {});
    return;
  }
  // The samples come from MySQL first; the run is still "starting" (busy,
  // cancellable) meanwhile.
  preparer_.Prepare(*spec, starting_->command.run,
                    [this, spec](absl::StatusOr<run::WorkloadDomains> domains) {
                      OnWorkloadPrepared(*spec, std::move(domains));
                    });
}

void Daemon::OnWorkloadPrepared(const run::WorkloadSpec& spec,
                                absl::StatusOr<run::WorkloadDomains> domains) {
  if (!StartingRunWanted()) return;
  if (!domains.ok()) {
    LogWarning("run %s not started: %s", starting_->id,
               domains.status().message());
    const std::string why = StrCat(
        "run ", starting_->id, " not started: ", domains.status().message());
    PublishError("workload", why, "", starting_->command.id);
    starting_.reset();
    RunNotStarted("failed", why);
    return;
  }
  StartRun(&spec, *std::move(domains));
}

void Daemon::StartRun(const run::WorkloadSpec* spec,
                      run::WorkloadDomains domains) {
  StartingRun pending = std::move(*starting_);
  starting_.reset();
  const run::ControlCommand& command = pending.command;
  const std::string& id = pending.id;
  absl::Status started = spec == nullptr ? engine_.Start(command.run, id)
                                         : engine_.Start(command.run, id, *spec,
                                                         std::move(domains));
  if (!started.ok()) {
    PublishError("busy", AsStd(started.message()), "", command.id);
    RunNotStarted("failed", AsStd(started.message()));
    return;
  }
  ++runs_started_;
  run_tag_ = RunTag{id, "", ""};
  if (comparison_.has_value()) {
    run_tag_.compare_id = comparison_->id();
    run_tag_.compare_role = std::string(comparison_->RoleOf(id));
  }
  // The subscriber is on the primary, so a command arriving means the primary
  // is up and any record still pending was retried on reconnect; the new run's
  // snapshots take over the keys from here.
  final_pending_ = false;
  const run::RunStats& s = engine_.stats();
  LogInfo(
      "run %s started: workload %s, %d queries, concurrency %d, %s, %s over "
      "%d keys, ttl %d ms%s, cache %s, stampede %s, seed %d",
      id, s.params().workload, s.params().queries, s.params().concurrency,
      s.params().rate > 0 ? StrCat("open loop at ", s.params().rate, "/s")
                          : std::string("closed loop"),
      s.dist_text(), s.key_count(), s.params().ttl_ms,
      s.params().ttl_jitter_pct > 0
          ? StrCat(" +-", s.params().ttl_jitter_pct, "%")
          : std::string(),
      s.params().cache ? "on" : "off", run::StampedeName(s.params().stampede),
      *s.params().seed);
  nlohmann::json event = run::RunJson(s, Context(false));
  event["event"] = "run_started";
  publisher_.PublishEvent(event);
  published_done_ = UINT64_MAX;
  PublishSnapshot();
  if (settings_.snapshot_interval > absl::ZeroDuration()) {
    snapshot_timer_->Enable(settings_.snapshot_interval);
  }
  UpdateStatus();
}

void Daemon::HandleFlush(const run::ControlCommand& command) {
  // A compare flushes between its runs itself; another flush would fail
  // that one, or empty the cache under its cache=on run.
  if (comparison_.has_value()) {
    PublishError("busy",
                 StrCat("busy: compare ", comparison_->id(),
                        " is going (it flushes the cache itself)"),
                 "", command.id);
    return;
  }
  std::string id = command.id;
  flusher_.Flush([this, id](absl::StatusOr<uint64_t> removed) {
    if (!removed.ok()) {
      PublishError("flush_failed", AsStd(removed.status().message()), "", id);
      return;
    }
    LogInfo("flush: removed %d cached results", *removed);
    publisher_.PublishEvent(
        {{"event", "flushed"}, {"id", id}, {"removed", *removed}});
  });
}

void Daemon::HandleReset(const run::ControlCommand& command) {
  if (engine_.running() || starting_.has_value() || comparison_.has_value()) {
    PublishError("busy", "busy: cannot reset while a run is going", "",
                 command.id);
    return;
  }
  std::string id = command.id;
  publisher_.ResetHistory([this, id](bool) {
    LogInfo("reset: stats, run history and query log cleared");
    publisher_.PublishEvent({{"event", "reset"}, {"id", id}});
  });
}

run::SnapshotContext Daemon::Context(bool histograms) const {
  run::SnapshotContext c;
  c.now_ns = scheduler_.NowNanos();
  c.wall_now = scheduler_.WallNow();
  c.sql_template = settings_.sql_template;
  c.histograms = histograms;
  // dbcache:stats carries the live series; a summary carries none.
  c.series = histograms;
  c.in_flight = engine_.in_flight();
  c.max_in_flight = engine_.max_in_flight();
  if (run_tag_.run_id == engine_.stats().run_id()) {
    c.compare_id = run_tag_.compare_id;
    c.compare_role = run_tag_.compare_role;
  }
  // Only dbcache:stats carries them: an event or a run summary is one run's.
  c.totals = histograms ? &engine_.totals() : nullptr;
  return c;
}

void Daemon::PublishSnapshot(Publisher::Done done) {
  published_done_ = engine_.stats().done();
  publisher_.PublishSnapshot(engine_.stats(), Context(true), std::move(done));
}

void Daemon::OnSnapshotTick() {
  if (!engine_.running()) return;
  const run::RunStats& s = engine_.stats();
  if (s.done() != published_done_) {
    PublishSnapshot();
    publisher_.PublishEvent({{"event", "progress"},
                             {"run_id", s.run_id()},
                             {"done", s.done()},
                             {"queries", s.params().queries},
                             {"hits", s.hits()},
                             {"misses", s.misses()},
                             {"coalesced", s.coalesced()},
                             {"errors", s.errors()}});
    UpdateStatus();
  }
  if (settings_.snapshot_interval > absl::ZeroDuration()) {
    snapshot_timer_->Enable(settings_.snapshot_interval);
  }
}

void Daemon::OnRunFinished(const run::RunStats& stats) {
  snapshot_timer_->Disable();
  const double wall_ms =
      static_cast<double>(stats.end_ns() - stats.start_ns()) / 1e6;
  LogInfo(
      "run %s %s: %d queries in %.1f ms, %d hits, %d misses, %d coalesced, "
      "%s%d errors%s%s",
      stats.run_id(), run::RunStateName(stats.state()), stats.done(), wall_ms,
      stats.hits(), stats.misses(), stats.coalesced(),
      stats.writes() == 0
          ? std::string()
          : absl::StrFormat("%d writes (invalidate %s, %d stale reads), ",
                            stats.writes(),
                            run::InvalidateName(stats.params().invalidate),
                            stats.freshness().stale_reads),
      stats.errors(), stats.reason().empty() ? "" : ": ", stats.reason());
  final_pending_ = true;
  PublishFinal();
  UpdateStatus();
  if (comparison_.has_value() && !comparison_->RoleOf(stats.run_id()).empty()) {
    OnComparisonRunFinished(stats);
  }
}

void Daemon::OnComparisonRunFinished(const run::RunStats& stats) {
  run::SnapshotContext context = Context(false);
  context.series = true;
  const bool cache = stats.params().cache;
  if (!comparison_->RunEnded(run::RunJson(stats, context))) {
    if (stats.state() == run::RunState::kFinished) {
      EndComparison("finished", "");
    } else {
      EndComparison(run::RunStateName(stats.state()),
                    StrCat("the cache=", cache ? "on" : "off", " run ",
                           run::RunStateName(stats.state()),
                           stats.reason().empty() ? "" : ": ", stats.reason()));
    }
    return;
  }
  if (shutting_down_) {
    EndComparison("cancelled", "daemon shutting down");
    return;
  }
  // The cache=on run starts from an empty cache, so that it pays for its own
  // misses and a second compare measures what the first did.
  flusher_.Flush(
      [this, id = comparison_->id()](absl::StatusOr<uint64_t> removed) {
        if (!comparison_.has_value() || comparison_->id() != id ||
            comparison_->phase() != Comparison::Phase::kFlush) {
          return;  // Cancelled meanwhile.
        }
        if (shutting_down_) {
          EndComparison("cancelled", "daemon shutting down");
          return;
        }
        if (!removed.ok()) {
          EndComparison("failed",
                        StrCat("the flush before the cache=on run failed: ",
                               removed.status().message()));
          return;
        }
        comparison_->Flushed();
        BeginRun(comparison_->RunCommand());
      });
}

void Daemon::EndComparison(std::string_view state, std::string_view reason) {
  nlohmann::json record =
      comparison_->Record(state, reason, scheduler_.WallNow());
  LogInfo("compare %s %s%s%s", comparison_->id(), state,
          reason.empty() ? "" : ": ", reason);
  // The list first: whoever hears the event can read the record.
  compare_record_pending_ = record;
  PublishComparisonRecord();
  publisher_.PublishEvent({{"event", "compare_finished"},
                           {"id", comparison_->id()},
                           {"compare", std::move(record)}});
  comparison_.reset();
  UpdateStatus();
}

void Daemon::PublishComparisonRecord() {
  // Like a run's summary, the record is written again once the primary is
  // back if this write fails.
  if (compare_record_in_flight_) return;
  compare_record_in_flight_ = true;
  publisher_.PublishComparison(
      *compare_record_pending_,
      [this, id = Text(*compare_record_pending_, "compare_id")](bool ok) {
        compare_record_in_flight_ = false;
        if (!compare_record_pending_.has_value()) return;
        if (Text(*compare_record_pending_, "compare_id") != id) {
          PublishComparisonRecord();  // A newer record came meanwhile.
          return;
        }
        if (ok) {
          compare_record_pending_.reset();
        } else if (!shutting_down_) {
          LogWarning(
              "compare %s: record not written (%s); will write it when the "
              "primary is back",
              id, publisher_.last_error());
        }
      });
}

void Daemon::PublishFinal() {
  // The final snapshot and the summary are the run's record: if the primary is
  // down when the run ends, they are written again once it is back (see
  // OnConnectionState), so nothing is lost.
  if (final_in_flight_) return;
  final_in_flight_ = true;
  const run::RunStats& stats = engine_.stats();
  auto snapshot_ok = std::make_shared<bool>(false);
  PublishSnapshot([snapshot_ok](bool ok) { *snapshot_ok = ok; });
  publisher_.PublishEvent({{"event", "run_finished"},
                           {"run_id", stats.run_id()},
                           {"summary", run::RunJson(stats, Context(false))}});
  publisher_.PublishSummary(
      stats, Context(false), [this, snapshot_ok](bool ok) {
        final_in_flight_ = false;
        if (ok && *snapshot_ok) {
          final_pending_ = false;
        } else if (!shutting_down_) {
          LogWarning(
              "run %s: final snapshot not written (%s); will write it when "
              "the primary is back",
              engine_.stats().run_id(), publisher_.last_error());
        }
        if (shutting_down_) FinishShutdown();
      });
}

nlohmann::json Daemon::HeartbeatJson() const {
  nlohmann::json connections = nlohmann::json::object();
  for (const redis::RedisConnection* c : {&primary_, &reader_, &subscriber_}) {
    connections[c->options().name] = redis::RedisStateName(c->state());
  }
  connections["mysql"] = StrCat(pool_.size(), "/", pool_.max_size(), " open");
  std::string last_error;
  for (const redis::RedisConnection* c : {&primary_, &reader_, &subscriber_}) {
    if (!c->last_error().empty()) {
      last_error = StrCat(c->options().name, ": ", c->last_error());
    }
  }
  // A compare between its runs is still busy.
  const bool running = engine_.running() || comparison_.has_value();
  // What a run's workload= may name here (the page offers these).
  nlohmann::json workloads = nlohmann::json::array();
  for (const run::WorkloadSpec& w : workloads_.workloads()) {
    workloads.push_back(w.name);
  }
  return {
      {"version", DBCACHE_VERSION},
      {"pid", getpid()},
      {"host", hostname_},
      {"state", shutting_down_ ? "stopping"
                : running      ? "running"
                               : "idle"},
      {"run_id", engine_.running() ? nlohmann::json(engine_.stats().run_id())
                                   : nlohmann::json(nullptr)},
      {"compare_id", comparison_.has_value() ? nlohmann::json(comparison_->id())
                                             : nlohmann::json(nullptr)},
      {"started_at", run::FormatTimestamp(started_at_)},
      {"updated_at", run::FormatTimestamp(scheduler_.WallNow())},
      {"connections", std::move(connections)},
      {"cache_reads", settings_.cache_reads == config::CacheReads::kReader
                          ? "reader"
                          : "primary"},
      {"reader_fallback", settings_.reader_fallback ? "primary" : "none"},
      {"reader_fallbacks", cache_reads_.fallbacks()},
      {"control_messages", control_messages_},
      {"control_errors", control_errors_},
      {"runs_started", runs_started_},
      {"workloads", std::move(workloads)},
      {"run_choices", run::control::RunChoicesJson()},
      {"publish_failures", publisher_.failures()},
      {"last_error", last_error}};
}

void Daemon::OnHeartbeat() {
  if (primary_.connected()) {
    publisher_.PublishHeartbeat(HeartbeatJson(), kHeartbeatTtlMs);
  }
  UpdateStatus();
  heartbeat_timer_->Enable(kHeartbeatInterval);
}

void Daemon::BeginShutdown(std::string_view why) {
  if (shutting_down_) return;
  shutting_down_ = true;
  notifier_.Stopping();
  UpdateStatus();
  LogInfo("%s: shutting down", why);
  subscriber_.Stop();  // No new commands from here on.
  exit_timer_->Enable(kDrainLimit + kExitLimit);
  if (engine_.running()) {
    shutdown_timer_->Enable(kDrainLimit);
    engine_.Cancel(StrCat("daemon shutting down (", why, ")"));
    return;  // OnRunFinished calls FinishShutdown once the summary is written.
  }
  if (comparison_.has_value()) {
    EndComparison("cancelled", StrCat("daemon shutting down (", why, ")"));
  }
  FinishShutdown();
}

void Daemon::FinishShutdown() {
  if (exiting_) return;
  exiting_ = true;
  heartbeat_timer_->Disable();
  publisher_.RemoveHeartbeat([this](bool) { loop_.Exit(); });
}

}  // namespace dbcache::app
