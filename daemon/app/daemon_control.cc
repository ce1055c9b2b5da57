// dbcached's commands from <prefix>control: parsing, what is busy when, and
// starting runs and compares (a compare's runs and the flush between them).
#include <algorithm>
#include <random>

#include "daemon/app/daemon.h"
#include "daemon/common/json_fields.h"
#include "daemon/common/log.h"
#include "daemon/common/str_cat.h"
#include "daemon/run/stats_json.h"

namespace dbcache::app {
namespace {

// How much of a refused message an error event echoes.
constexpr size_t kEchoedInputBytes = 120;

}  // namespace

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

}  // namespace dbcache::app
