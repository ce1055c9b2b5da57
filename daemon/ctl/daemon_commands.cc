#include "daemon/ctl/daemon_commands.h"

#include <unistd.h>

#include <cstdio>
#include <optional>
#include <random>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "daemon/common/json_fields.h"
#include "daemon/common/str_cat.h"
#include "daemon/ctl/progress.h"
#include "daemon/ctl/summary_table.h"
#include "daemon/redis/sync_client.h"
#include "daemon/redis/sync_subscription.h"
#include "nlohmann/json.hpp"

namespace dbcache::ctl {
namespace {

int Fail(int code, std::string_view message) {
  absl::FPrintF(stderr, "dbcachectl: %s\n", message);
  return code;
}

redis::SyncEndpoint Primary(const config::Settings& s) {
  return {s.redis_primary.host, s.redis_primary.port, s.redis_username,
          s.redis_password, s.connect_timeout};
}

nlohmann::json Parse(std::string_view text) {
  return nlohmann::json::parse(text, nullptr, false);
}

// <prefix>events as JSON objects, subscribed before the command is published.
class EventStream {
 public:
  static absl::StatusOr<EventStream> Open(const config::Settings& settings) {
    absl::StatusOr<redis::SyncSubscription> subscription =
        redis::SyncSubscription::Open(Primary(settings),
                                      settings.Key("events"));
    if (!subscription.ok()) return subscription.status();
    return EventStream(*std::move(subscription));
  }

  // The next event, or DEADLINE_EXCEEDED.
  absl::StatusOr<nlohmann::json> Next(absl::Duration timeout) {
    absl::StatusOr<std::string> message = subscription_.Next(timeout);
    if (!message.ok()) return message.status();
    nlohmann::json event = Parse(*message);
    if (!event.is_object()) return nlohmann::json::object();
    return event;
  }

 private:
  explicit EventStream(redis::SyncSubscription subscription)
      : subscription_(std::move(subscription)) {}
  redis::SyncSubscription subscription_;
};

// PUBLISHes; says plainly when nobody listens.
int Publish(redis::SyncClient& primary, const config::Settings& settings,
            const std::string& message) {
  absl::StatusOr<redis::ReplyPtr> reply =
      primary.Command({"PUBLISH", settings.Key("control"), message});
  if (!reply.ok()) return Fail(kExitNoDaemon, AsStd(reply.status().message()));
  if ((*reply)->type != REDIS_REPLY_INTEGER) {
    return Fail(kExitNoDaemon,
                StrCat("PUBLISH failed: ",
                       std::string_view((*reply)->str, (*reply)->len)));
  }
  if ((*reply)->integer == 0) {
    return Fail(
        kExitNoDaemon,
        StrCat("no dbcached is subscribed to ", settings.Key("control"), " on ",
               settings.redis_primary.host, ":", settings.redis_primary.port,
               " (is it running? see 'dbcachectl status')"));
  }
  return kExitOk;
}

bool MatchesId(const nlohmann::json& event, const std::string& id) {
  return event.value("id", "") == id || event.value("run_id", "") == id;
}

}  // namespace

std::string NewCommandId() {
  std::random_device random;
  return absl::StrFormat(
      "c%s-%04x",
      absl::FormatTime("%Y%m%d-%H%M%S", absl::Now(), absl::UTCTimeZone()),
      random() & 0xffff);
}

namespace {

// The run (or compare) message for `params` (given an id if it has none),
// checked by the daemon's own parser before it is sent.
absl::StatusOr<std::string> RunMessage(
    run::RunParams* params, run::CommandKind kind = run::CommandKind::kRun) {
  run::ControlCommand command;
  command.kind = kind;
  if (params->id.empty()) params->id = NewCommandId();
  command.run = *params;
  command.id = params->id;
  std::string message = run::ControlCommandToJson(command);
  if (absl::StatusOr<run::ControlCommand> check =
          run::ParseControlMessage(message);
      !check.ok()) {
    return check.status();
  }
  return message;
}

// Subscribed to <prefix>events, then `message` published: what following a
// command needs, or the exit code of what failed (said on stderr).
struct Published {
  int exit_code = kExitOk;
  std::optional<EventStream> events;
};

Published SubscribeAndPublish(const config::Settings& settings,
                              const absl::StatusOr<std::string>& message) {
  if (!message.ok()) {
    return {Fail(kExitUsage, AsStd(message.status().message())), {}};
  }
  absl::StatusOr<redis::SyncClient> primary =
      redis::SyncClient::Connect(Primary(settings));
  if (!primary.ok()) {
    return {Fail(kExitNoDaemon, AsStd(primary.status().message())), {}};
  }
  absl::StatusOr<EventStream> events = EventStream::Open(settings);
  if (!events.ok()) {
    return {Fail(kExitNoDaemon, AsStd(events.status().message())), {}};
  }
  if (int code = Publish(*primary, settings, *message); code != kExitOk) {
    return {code, {}};
  }
  return {kExitOk, *std::move(events)};
}

}  // namespace

FollowedRun PublishAndFollow(const config::Settings& settings,
                             run::RunParams params, const std::string& label,
                             absl::Duration ack_timeout) {
  Published published = SubscribeAndPublish(settings, RunMessage(&params));
  if (published.exit_code != kExitOk) return {published.exit_code, {}};
  EventStream* events = &*published.events;
  const std::string& id = params.id;
  std::optional<Progress> progress;
  absl::Duration timeout = ack_timeout;
  while (true) {
    absl::StatusOr<nlohmann::json> event = events->Next(timeout);
    if (!event.ok()) {
      if (progress) progress->Note("");
      return {
          Fail(kExitNoDaemon,
               progress
                   ? StrCat("no word from dbcached for ",
                            absl::FormatDuration(timeout), " during run ", id)
                   : StrCat("dbcached did not start run ", id, " within ",
                            absl::FormatDuration(timeout))),
          {}};
    }
    if (!MatchesId(*event, id)) continue;
    const std::string name = event->value("event", "");
    if (name == "error") {
      // A run's own error events (verify's unexplained rows) do not end it.
      if (progress) {
        progress->Note(event->value("message", ""));
        continue;
      }
      return {Fail(kExitRejected, StrCat("dbcached refused the run: ",
                                         event->value("message", ""))),
              {}};
    }
    if (name == "run_started") {
      progress.emplace(stderr, label, params.queries);
      progress->set_unit("queries");
      // Between progress events a busy daemon can be quiet for a while;
      // silence for this long means it is gone.
      timeout = absl::Seconds(60);
    } else if (name == "progress" && progress) {
      progress->Update(static_cast<int64_t>(Number(*event, "done")));
    } else if (name == "run_finished") {
      nlohmann::json summary = (*event)["summary"];
      if (progress)
        progress->Done(static_cast<int64_t>(Number(summary, "done")));
      const int code =
          Text(summary, "state") == "finished" ? kExitOk : kExitRunNotFinished;
      return {code, std::move(summary)};
    }
  }
}

FollowedRun PublishCompareAndFollow(const config::Settings& settings,
                                    run::RunParams params,
                                    absl::Duration ack_timeout) {
  Published published = SubscribeAndPublish(
      settings, RunMessage(&params, run::CommandKind::kCompare));
  if (published.exit_code != kExitOk) return {published.exit_code, {}};
  EventStream* events = &*published.events;
  const std::string& id = params.id;
  const std::string runs[] = {id + "-off", id + "-on"};
  bool started = false;
  std::optional<Progress> progress;
  absl::Duration timeout = ack_timeout;
  while (true) {
    absl::StatusOr<nlohmann::json> event = events->Next(timeout);
    if (!event.ok()) {
      if (progress) progress->Note("");
      return {Fail(kExitNoDaemon,
                   started ? StrCat("no word from dbcached for ",
                                    absl::FormatDuration(timeout),
                                    " during compare ", id)
                           : StrCat("dbcached did not start compare ", id,
                                    " within ", absl::FormatDuration(timeout))),
              {}};
    }
    const std::string name = Text(*event, "event");
    const std::string run_id = Text(*event, "run_id");
    const int which = run_id == runs[0] ? 0 : run_id == runs[1] ? 1 : -1;
    if (Text(*event, "id") == id) {
      if (name == "error" && !started) {
        return {Fail(kExitRejected, StrCat("dbcached refused the compare: ",
                                           Text(*event, "message"))),
                {}};
      }
      if (name == "compare_started") {
        started = true;
        // Between progress events a busy daemon can be quiet for a while.
        timeout = absl::Seconds(60);
      } else if (name == "compare_finished") {
        nlohmann::json record = (*event)["compare"];
        const int code =
            Text(record, "state") == "finished" ? kExitOk : kExitRunNotFinished;
        return {code, std::move(record)};
      }
      continue;
    }
    if (which < 0) continue;
    if (name == "run_started") {
      progress.emplace(stderr,
                       absl::StrFormat("compare %s %d/2: cache=%s", id,
                                       which + 1, which == 0 ? "off" : "on"),
                       params.queries);
      progress->set_unit("queries");
    } else if (name == "progress" && progress) {
      progress->Update(static_cast<int64_t>(Number(*event, "done")));
    } else if (name == "run_finished" && progress) {
      progress->Done(
          static_cast<int64_t>(Number(Object(*event, "summary"), "done")));
      progress.reset();
    } else if (name == "error" && progress) {
      progress->Note(Text(*event, "message"));
    }
  }
}

int RunCommand(const config::Settings& settings, const RunOptions& options) {
  if (!options.wait) {
    run::RunParams params = options.params;
    absl::StatusOr<std::string> message = RunMessage(&params);
    if (!message.ok()) {
      return Fail(kExitUsage, AsStd(message.status().message()));
    }
    absl::StatusOr<redis::SyncClient> primary =
        redis::SyncClient::Connect(Primary(settings));
    if (!primary.ok()) {
      return Fail(kExitNoDaemon, AsStd(primary.status().message()));
    }
    if (int code = Publish(*primary, settings, *message); code != kExitOk) {
      return code;
    }
    absl::PrintF("run %s requested (%d queries, concurrency %d)\n", params.id,
                 params.queries, params.concurrency);
    return kExitOk;
  }
  run::RunParams params = options.params;
  if (params.id.empty()) params.id = NewCommandId();
  const std::string label = StrCat("run ", params.id);
  FollowedRun run =
      PublishAndFollow(settings, std::move(params), label, options.ack_timeout);
  if (!run.summary.is_null()) absl::PrintF("%s", FormatSummary(run.summary));
  return run.exit_code;
}

int StatusCommand(const config::Settings& settings) {
  absl::StatusOr<redis::SyncClient> primary =
      redis::SyncClient::Connect(Primary(settings));
  if (!primary.ok())
    return Fail(kExitNoDaemon, AsStd(primary.status().message()));
  absl::StatusOr<std::optional<std::string>> heartbeat =
      primary->Get(settings.Key("daemon"));
  if (!heartbeat.ok()) {
    return Fail(kExitNoDaemon, AsStd(heartbeat.status().message()));
  }
  int code = kExitOk;
  if (!heartbeat->has_value()) {
    absl::PrintF("daemon: offline (no %s heartbeat on %s:%d)\n",
                 settings.Key("daemon"), settings.redis_primary.host,
                 settings.redis_primary.port);
    code = kExitNoDaemon;
  } else {
    const nlohmann::json h = Parse(**heartbeat);
    absl::PrintF("daemon: %s, dbcached %s, pid %d on %s, up since %s\n",
                 h.value("state", "?"), h.value("version", "?"),
                 h.value("pid", 0), h.value("host", "?"),
                 h.value("started_at", "?"));
    if (h.contains("connections") && h["connections"].is_object()) {
      std::string line = "connections:";
      for (const auto& [name, state] : h["connections"].items()) {
        StrAppend(&line, " ", name, "=",
                  state.is_string() ? state.get<std::string>() : state.dump());
      }
      absl::PrintF("%s\n", line);
    }
    if (const std::string error = h.value("last_error", ""); !error.empty()) {
      absl::PrintF("last error: %s\n", error);
    }
  }
  absl::StatusOr<std::optional<std::string>> stats =
      primary->Get(settings.Key("stats"));
  if (stats.ok() && stats->has_value()) {
    absl::PrintF("\n%s", FormatSummary(Parse(**stats)));
  } else {
    absl::PrintF("no run recorded yet\n");
  }
  return code;
}

int SimpleCommand(const config::Settings& settings, run::CommandKind kind,
                  absl::Duration ack_timeout, bool print) {
  run::ControlCommand command;
  command.kind = kind;
  command.id = NewCommandId();
  absl::StatusOr<redis::SyncClient> primary =
      redis::SyncClient::Connect(Primary(settings));
  if (!primary.ok())
    return Fail(kExitNoDaemon, AsStd(primary.status().message()));
  absl::StatusOr<EventStream> events = EventStream::Open(settings);
  if (!events.ok())
    return Fail(kExitNoDaemon, AsStd(events.status().message()));
  if (int code =
          Publish(*primary, settings, run::ControlCommandToJson(command));
      code != kExitOk) {
    return code;
  }
  const absl::Time deadline = absl::Now() + ack_timeout;
  while (absl::Now() < deadline) {
    absl::StatusOr<nlohmann::json> event = events->Next(deadline - absl::Now());
    if (!event.ok()) break;
    const std::string name = event->value("event", "");
    if (name == "error" && MatchesId(*event, command.id)) {
      return Fail(kExitRejected, event->value("message", ""));
    }
    if (kind == run::CommandKind::kFlush && name == "flushed" &&
        MatchesId(*event, command.id)) {
      if (print) {
        absl::PrintF("flushed: %d cached results removed\n",
                     event->value("removed", 0));
      }
      return kExitOk;
    }
    if (kind == run::CommandKind::kReset && name == "reset" &&
        MatchesId(*event, command.id)) {
      absl::PrintF("reset: stats, run history and query log cleared\n");
      return kExitOk;
    }
    if (kind == run::CommandKind::kCancel && name == "run_finished") {
      absl::PrintF("%s", FormatSummary((*event)["summary"]));
      return kExitOk;
    }
  }
  return Fail(kExitNoDaemon, StrCat("no answer from dbcached within ",
                                    absl::FormatDuration(ack_timeout)));
}

}  // namespace dbcache::ctl
