#ifndef DBCACHE_TESTS_INTEGRATION_SUPPORT_SUBSCRIBERS_H_
#define DBCACHE_TESTS_INTEGRATION_SUPPORT_SUBSCRIBERS_H_

#include <string>

#include "absl/time/time.h"
#include "daemon/redis/sync_client.h"

namespace dbcache::testing {

// How many clients are subscribed to `channel` (PUBSUB NUMSUB); -1 when Redis
// cannot say. A daemon is ready once it listens on its control channel.
long long Subscribers(redis::SyncClient& redis, const std::string& channel);

// Waits until at least `count` clients listen on `channel`; false at the
// deadline.
//
//   ASSERT_TRUE(WaitForSubscribers(*primary_, Key("control"), 1))
//       << daemon_->Output();
bool WaitForSubscribers(redis::SyncClient& redis, const std::string& channel,
                        long long count,
                        absl::Duration timeout = absl::Seconds(15));

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_INTEGRATION_SUPPORT_SUBSCRIBERS_H_
