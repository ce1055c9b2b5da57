#include "web/control_publisher.h"

#include <optional>
#include <utility>
#include <vector>

#include "daemon/common/json_fields.h"
#include "daemon/common/str_cat.h"
#include "daemon/redis/sync_subscription.h"
#include "web/monotonic_clock.h"

namespace dbcache::web {
namespace {

nlohmann::json ParseObject(const std::optional<std::string>& text) {
  if (!text.has_value()) return nullptr;
  nlohmann::json value =
      nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return nullptr;
  return value;
}

}  // namespace

ControlPublisher::ControlPublisher(redis::SyncEndpoint primary,
                                   std::string prefix)
    : prefix_(std::move(prefix)),
      channel_(StrCat(prefix_, "control")),
      events_channel_(StrCat(prefix_, "events")),
      pool_(std::move(primary)) {}

absl::StatusOr<long long> ControlPublisher::Publish(std::string_view message) {
  absl::StatusOr<redis::ReplyPtr> reply =
      pool_.Call([&](redis::SyncClient& connection) {
        return connection.Command({"PUBLISH", channel_, message});
      });
  if (!reply.ok()) return reply.status();
  return redis::ReplyInteger(**reply, StrCat("PUBLISH ", channel_));
}

absl::StatusOr<RunStartAnswer> ControlPublisher::StartRun(
    std::string_view message, std::string_view id, absl::Duration timeout) {
  absl::StatusOr<redis::SyncSubscription> events =
      redis::SyncSubscription::Open(pool_.endpoint(), events_channel_);
  if (!events.ok()) return events.status();
  absl::StatusOr<long long> receivers = Publish(message);
  if (!receivers.ok()) return receivers.status();
  if (*receivers == 0)
    return RunStartAnswer{RunStartAnswer::Kind::kNoDaemon, "", ""};
  const absl::Time deadline = MonotonicNow() + timeout;
  while (true) {
    absl::StatusOr<std::string> text = events->Next(deadline - MonotonicNow());
    if (absl::IsDeadlineExceeded(text.status())) {
      return RunStartAnswer{RunStartAnswer::Kind::kNoAnswer, "", ""};
    }
    // Published, then the connection failed: the run may be starting, so the
    // caller must not take it for a message that never went out.
    if (!text.ok()) {
      return RunStartAnswer{RunStartAnswer::Kind::kNoAnswer, "",
                            std::string(text.status().message())};
    }
    const nlohmann::json event = ParseObject(*text);
    if (event.is_null()) continue;
    const std::string name = Text(event, "event");
    // A compare answers for itself first (its runs have their own ids).
    if ((name == "run_started" && Text(event, "run_id") == id) ||
        (name == "compare_started" && Text(event, "id") == id)) {
      return RunStartAnswer{RunStartAnswer::Kind::kStarted, "", ""};
    }
    if (name == "error" && Text(event, "id") == id) {
      return RunStartAnswer{RunStartAnswer::Kind::kRefused,
                            Text(event, "error"), Text(event, "message")};
    }
  }
}

absl::StatusOr<PrimaryRunState> ControlPublisher::ReadRunState() {
  const std::string stats_key = StrCat(prefix_, "stats");
  const std::string daemon_key = StrCat(prefix_, "daemon");
  absl::StatusOr<std::vector<redis::ReplyPtr>> replies =
      pool_.Call([&](redis::SyncClient& connection) {
        return connection.Pipeline({{"GET", stats_key}, {"GET", daemon_key}});
      });
  if (!replies.ok()) return replies.status();
  absl::StatusOr<std::optional<std::string>> stats =
      redis::ReplyString(*(*replies)[0], stats_key);
  if (!stats.ok()) return stats.status();
  absl::StatusOr<std::optional<std::string>> daemon =
      redis::ReplyString(*(*replies)[1], daemon_key);
  if (!daemon.ok()) return daemon.status();
  return PrimaryRunState{ParseObject(*stats), ParseObject(*daemon)};
}

}  // namespace dbcache::web
