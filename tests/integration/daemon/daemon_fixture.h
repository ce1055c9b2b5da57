#ifndef DBCACHE_TESTS_INTEGRATION_DAEMON_DAEMON_FIXTURE_H_
#define DBCACHE_TESTS_INTEGRATION_DAEMON_DAEMON_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "daemon/cache/result_set.h"
#include "daemon/redis/sync_client.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/support/child_process.h"
#include "tests/integration/support/stack_env.h"

namespace dbcache::testing {

// Starts a real dbcached against the fixture's stack under a prefix of its own,
// so tests never see each other's keys, with a subscriber on its events
// channel.
//
//   TEST_F(DaemonTest, X) {
//     StartDaemon();
//     Publish("run queries=10");
//     nlohmann::json done = WaitForEvent("run_finished");
//   }
// The rows MariaDB itself returns for `sql`, through the blocking client: what
// a cached value must decode to.
cache::ResultSet QueryMariaDb(const StackEnv& stack, const std::string& sql);

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  void StartDaemon(std::vector<std::string> extra_args = {});
  // Returns PUBLISH's subscriber count.
  long long Publish(const std::string& message);
  // Next event named `name`; fails the test on timeout. Other events are
  // skipped.
  nlohmann::json WaitForEvent(const std::string& name,
                              absl::Duration timeout = absl::Seconds(30));
  std::string Key(const std::string& suffix) const { return prefix_ + suffix; }
  nlohmann::json GetJson(redis::SyncClient& client, const std::string& key);
  // Publishes a run message and returns the summary of the run that finishes
  // next, checked to add up (ExpectCountsAddUp).
  nlohmann::json RunToEnd(const std::string& message,
                          absl::Duration timeout = absl::Seconds(60));
  // Cached results under the prefix (locks, which end in ":lock", aside).
  int CachedKeys();
  // Every daemon on the prefix flushes and says so; the cache is then empty.
  void FlushCache(int daemons = 1);

  const StackEnv& stack_ = StackEnv::Get();
  std::string prefix_;
  std::unique_ptr<ChildProcess> daemon_;
  std::optional<redis::SyncClient> primary_;
  std::optional<redis::SyncClient> reader_;
  std::optional<redis::SyncClient> events_;
};

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_INTEGRATION_DAEMON_DAEMON_FIXTURE_H_
