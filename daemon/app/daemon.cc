// dbcached's wiring and lifecycle: the parts and how they connect, connection
// states, the heartbeat, the status line and the shutdown sequence. The
// commands of the control channel are in daemon_control.cc, what is written
// about runs and compares (and written again after an outage) in
// daemon_records.cc.
#include "daemon/app/daemon.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

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
