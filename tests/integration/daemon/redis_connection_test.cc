// RedisConnection against the real server: the hand-written GET, and what a
// FallbackClient does while a connection is going down.
#include "daemon/redis/redis_connection.h"

#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "daemon/loop/event_loop.h"
#include "daemon/loop/libevent_scheduler.h"
#include "daemon/redis/fallback_client.h"
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

redis::RedisConnectionOptions Options(const char* name, int port) {
  redis::RedisConnectionOptions options;
  options.name = name;
  options.host = "127.0.0.1";
  options.port = port;
  return options;
}

absl::StatusOr<redis::SyncClient> Connect(int port) {
  return redis::SyncClient::Connect(
      {"127.0.0.1", port, "", "", absl::Seconds(5)});
}

// RedisConnection::Get writes GET's RESP itself instead of going through
// hiredis's argv formatting: it must fetch exactly what the generic command
// path fetches, for any key bytes.
TEST(RedisConnectionTest, GetFetchesWhatGenericCommandsFetchForAnyKeyBytes) {
  const StackEnv& stack = StackEnv::Get();
  absl::StatusOr<redis::SyncClient> setter = Connect(stack.redis_port);
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
  redis::RedisConnection connection(loop, scheduler,
                                    Options("primary", stack.redis_port));
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

// hiredis runs the callbacks of a lost connection's pending commands before it
// reports the loss. A GET sent from one of them (a failed query's successor)
// must see the reader as down and go to the primary, not fail on the reader.
TEST(RedisConnectionTest, CommandsSentWhileTheReaderFailsGoToTheFallback) {
  const StackEnv& stack = StackEnv::Get();
  absl::StatusOr<redis::SyncClient> admin = Connect(stack.redis_port);
  ASSERT_TRUE(admin.ok()) << admin.status();
  const std::string key = "fallbackit" + std::to_string(getpid());
  ASSERT_TRUE(
      admin->Command({"SET", key, "from the primary", "EX", "60"}).ok());

  loop::EventLoop loop;
  loop::LibeventScheduler scheduler(loop);
  // Both on the primary server: what is under test is the connection's state,
  // not replication.
  redis::RedisConnection reader(loop, scheduler,
                                Options("reader", stack.redis_port));
  redis::RedisConnection primary(loop, scheduler,
                                 Options("primary", stack.redis_port));
  redis::FallbackClient reads(reader, &primary);

  bool pending_failed = false;
  bool reader_up_in_callback = true;
  Fetched fetched;
  std::string kill_error;
  auto start = [&] {
    reader.Command({"CLIENT", "ID"}, [&](const redis::RedisReply& id) {
      // Blocks on the server until the kill below cuts the connection.
      reader.Command({"BLPOP", key + ":never", "30"},
                     [&](const redis::RedisReply& blpop) {
                       pending_failed = !blpop.ok();
                       reader_up_in_callback = reader.connected();
                       reads.Get(key, [&](const redis::RedisReply& reply) {
                         fetched.replied = true;
                         fetched.ok = reply.ok() && !reply.is_error();
                         if (reply.is_string()) {
                           fetched.value = std::string(reply.str());
                         }
                         loop.Exit();
                       });
                     });
      absl::StatusOr<redis::ReplyPtr> killed = admin->Command(
          {"CLIENT", "KILL", "ID", std::to_string(id.integer())});
      if (!killed.ok()) kill_error = killed.status().ToString();
    });
  };
  bool started = false;
  auto on_state = [&](redis::RedisState) {
    if (!started && reader.connected() && primary.connected()) {
      started = true;
      start();
    }
  };
  reader.SetStateListener(on_state);
  primary.SetStateListener(on_state);
  std::unique_ptr<loop::Timer> deadline =
      scheduler.CreateTimer([&] { loop.Exit(); });
  deadline->Enable(absl::Seconds(10));
  reader.Start();
  primary.Start();
  loop.Run();

  EXPECT_EQ(kill_error, "");
  EXPECT_TRUE(pending_failed) << "the BLPOP was not cut by the kill";
  EXPECT_FALSE(reader_up_in_callback);
  ASSERT_TRUE(fetched.replied) << "no reply before the deadline";
  EXPECT_TRUE(fetched.ok);
  EXPECT_EQ(fetched.value, "from the primary");
  EXPECT_EQ(reads.fallbacks(), 1u);
  EXPECT_EQ(reader.disconnects(), 1u);
  ASSERT_TRUE(admin->Command({"DEL", key}).ok());
}

}  // namespace
}  // namespace dbcache::testing
