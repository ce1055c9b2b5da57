#include "daemon/redis/sync_subscription.h"

#include <utility>

namespace dbcache::redis {

absl::StatusOr<SyncSubscription> SyncSubscription::Open(
    const SyncEndpoint& endpoint, std::string_view channel) {
  absl::StatusOr<SyncClient> client = SyncClient::Connect(endpoint);
  if (!client.ok()) return client.status();
  absl::StatusOr<ReplyPtr> subscribed = client->Command({"SUBSCRIBE", channel});
  if (!subscribed.ok()) return subscribed.status();
  return SyncSubscription(*std::move(client));
}

}  // namespace dbcache::redis
