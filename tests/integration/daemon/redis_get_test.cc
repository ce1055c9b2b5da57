// RedisConnection::Get writes GET's RESP itself instead of going through
// hiredis's argv formatting: against the real server it must fetch exactly
// what the generic command path fetches, for any key bytes.
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "daemon/loop/event_loop.h"
#include "daemon/loop/libevent_scheduler.h"
#include "daemon/redis/redis_connection.h"
#include "daemon/redis/sync_client.h"
#include "gtest/gtest.h"
#include "tests/integration/support/stack_env.h"

namespace dbcache::testing {
namespace {

struct Fetched {
  bool replied = false;
  bool ok = false;
  bool nil = false;
  std::string value;
};

TEST(RedisGetTest, FetchesWhatGenericCommandsFetchForAnyKeyBytes) {
  const StackEnv& stack = StackEnv::Get();
  absl::StatusOr<redis::SyncClient> setter = redis::SyncClient::Connect(
      {"127.0.0.1", stack.redis_port, "", "", absl::Seconds(5)});
  ASSERT_TRUE(setter.ok()) << setter.status();
  const std::string prefix = "getit" + std::to_string(getpid()) + ":";
  const std::vector<std::string> keys = {
      prefix,
      prefix + "plain",
      prefix + "with\r\nCRLF and *2\r\n$3\r\n",
      prefix + std::string("\0\xff\x01", 3),
      prefix + std::string(70'000, 'k'),
  };
  std::vector<std::string> values;
  for (size_t i = 0; i < keys.size(); ++i) {
    values.push_back(std::string("value ") + std::to_string(i) +
                     std::string("\0\r\n", 3));
    ASSERT_TRUE(setter->Command({"SET", keys[i], values[i], "EX", "60"}).ok());
  }
  const std::string missing = prefix + "never set";

  loop::EventLoop loop;
  loop::LibeventScheduler scheduler(loop);
  redis::RedisConnectionOptions options;
  options.name = "primary";
  options.host = "127.0.0.1";
  options.port = stack.redis_port;
  redis::RedisConnection connection(loop, scheduler, options);
  // One per key, the missing key, and a generic GET sent after them all.
  std::vector<Fetched> fetched(keys.size() + 2);
  size_t replies = 0;
  auto record = [&](size_t i) {
    return [&, i](const redis::RedisReply& reply) {
      fetched[i].replied = true;
      fetched[i].ok = reply.ok() && !reply.is_error();
      fetched[i].nil = reply.is_nil();
      if (reply.is_string()) fetched[i].value = std::string(reply.str());
      if (++replies == fetched.size()) loop.Exit();
    };
  };
  bool sent = false;
  connection.SetStateListener([&](redis::RedisState state) {
    if (state != redis::RedisState::kConnected || sent) return;
    sent = true;
    for (size_t i = 0; i < keys.size(); ++i) connection.Get(keys[i], record(i));
    connection.Get(missing, record(keys.size()));
    connection.Command({"GET", keys[2]}, record(keys.size() + 1));
  });
  std::unique_ptr<loop::Timer> deadline =
      scheduler.CreateTimer([&] { loop.Exit(); });
  deadline->Enable(absl::Seconds(10));
  connection.Start();
  loop.Run();

  ASSERT_TRUE(sent) << "never connected: " << connection.last_error();
  ASSERT_EQ(replies, fetched.size()) << "replies before the deadline";
  for (size_t i = 0; i < keys.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(fetched[i].ok);
    EXPECT_EQ(fetched[i].value, values[i]);
  }
  EXPECT_TRUE(fetched[keys.size()].ok);
  EXPECT_TRUE(fetched[keys.size()].nil);
  // The connection is still in step after the hand-written commands.
  EXPECT_TRUE(fetched.back().ok);
  EXPECT_EQ(fetched.back().value, values[2]);
  for (const std::string& key : keys) {
    ASSERT_TRUE(setter->Command({"DEL", key}).ok());
  }
}

}  // namespace
}  // namespace dbcache::testing
