#ifndef DBCACHE_DAEMON_REDIS_SYNC_SUBSCRIPTION_H_
#define DBCACHE_DAEMON_REDIS_SYNC_SUBSCRIPTION_H_

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/redis/sync_client.h"

namespace dbcache::redis {

// A blocking subscription to one channel on a connection of its own. Open it
// before publishing whatever the answer is to, so that no answer can slip
// past between the PUBLISH and the SUBSCRIBE.
//
//   absl::StatusOr<SyncSubscription> events =
//       SyncSubscription::Open(primary, "dbcache:events");
//   ... PUBLISH on dbcache:control ...
//   absl::StatusOr<std::string> event = events->Next(absl::Seconds(5));
class SyncSubscription {
 public:
  static absl::StatusOr<SyncSubscription> Open(const SyncEndpoint& endpoint,
                                               std::string_view channel);

  // The next message's payload, or DEADLINE_EXCEEDED. After a timeout or an
  // error the subscription is broken: open another.
  absl::StatusOr<std::string> Next(absl::Duration timeout) {
    return client_.ReadMessage(timeout);
  }

 private:
  explicit SyncSubscription(SyncClient client) : client_(std::move(client)) {}
  SyncClient client_;
};

}  // namespace dbcache::redis

#endif  // DBCACHE_DAEMON_REDIS_SYNC_SUBSCRIPTION_H_
