#include "daemon/redis/sync_subscription.h"

#include <string_view>
#include <utility>

#include "daemon/common/str_cat.h"

namespace dbcache::redis {

absl::StatusOr<SyncSubscription> SyncSubscription::Open(
    const SyncEndpoint& endpoint, std::string_view channel) {
  absl::StatusOr<SyncClient> client = SyncClient::Connect(endpoint);
  if (!client.ok()) return client.status();
  absl::StatusOr<ReplyPtr> subscribed = client->Command({"SUBSCRIBE", channel});
  if (!subscribed.ok()) return subscribed.status();
  // Refused (an ACL without the channel): nothing would ever arrive.
  if ((*subscribed)->type == REDIS_REPLY_ERROR) {
    return absl::PermissionDeniedError(
        StrCat("Redis at ", endpoint.Name(), " refused SUBSCRIBE ", channel,
               ": ", std::string_view((*subscribed)->str, (*subscribed)->len)));
  }
  return SyncSubscription(*std::move(client));
}

}  // namespace dbcache::redis
