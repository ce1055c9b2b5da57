#include "tests/integration/support/subscribers.h"

#include "tests/integration/support/child_process.h"

namespace dbcache::testing {

long long Subscribers(redis::SyncClient& redis, const std::string& channel) {
  absl::StatusOr<redis::ReplyPtr> reply =
      redis.Command({"PUBSUB", "NUMSUB", channel});
  if (!reply.ok() || (*reply)->type != REDIS_REPLY_ARRAY ||
      (*reply)->elements != 2 ||
      (*reply)->element[1]->type != REDIS_REPLY_INTEGER) {
    return -1;
  }
  return (*reply)->element[1]->integer;
}

bool WaitForSubscribers(redis::SyncClient& redis, const std::string& channel,
                        long long count, absl::Duration timeout) {
  return WaitFor([&] { return Subscribers(redis, channel) >= count; }, timeout);
}

}  // namespace dbcache::testing
