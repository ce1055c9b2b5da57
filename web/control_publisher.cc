#include "web/control_publisher.h"

#include <optional>
#include <utility>
#include <vector>

#include "daemon/common/str_cat.h"

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
      pool_(std::move(primary)) {}

absl::StatusOr<long long> ControlPublisher::Publish(std::string_view message) {
  absl::StatusOr<redis::ReplyPtr> reply =
      pool_.Call([&](redis::SyncClient& connection) {
        return connection.Command({"PUBLISH", channel_, message});
      });
  if (!reply.ok()) return reply.status();
  return redis::ReplyInteger(**reply, StrCat("PUBLISH ", channel_));
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
