#ifndef DBCACHE_DAEMON_REDIS_SYNC_CLIENT_H_
#define DBCACHE_DAEMON_REDIS_SYNC_CLIENT_H_

#include <hiredis/hiredis.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace dbcache::redis {

struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
// A reply owned by the caller; hiredis frees nested elements with the root.
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;
using SyncContextPtr = std::unique_ptr<redisContext, ContextFree>;

// Where and how to connect to one Redis endpoint.
//
//   SyncEndpoint endpoint{"127.0.0.1", 16379, "", "", absl::Seconds(5)};
//   endpoint.command_timeout = absl::Seconds(2);
struct SyncEndpoint {
  std::string host;
  int port = 6379;
  std::string username;  // ACL user; empty: the default user.
  std::string password;  // Secret: never logged or returned in a status.
  // For connecting, and for each command unless command_timeout is set.
  absl::Duration timeout = absl::Seconds(2);
  // dbcache-web bounds commands apart from connecting (--command_timeout).
  std::optional<absl::Duration> command_timeout = std::nullopt;

  // "host:port" ("[host]:port" for an IPv6 address), for messages.
  std::string Name() const;
  absl::Duration CommandTimeout() const {
    return command_timeout.value_or(timeout);
  }
};

// A blocking hiredis connection, for the command-line tool, dbcache-web's
// worker threads (through web::RedisPool) and tests: connect with a timeout,
// AUTH, binary-safe commands, pipelines, and pub/sub reads with a deadline.
// They only ever ask Redis small questions, so a blocking call with a timeout
// is simpler than an event loop and costs one round trip either way. (The
// daemon never blocks: it uses RedisConnection.) Not thread-safe.
//
//   absl::StatusOr<SyncClient> redis =
//       SyncClient::Connect({"127.0.0.1", 16379});
//   if (!redis.ok()) return redis.status();
//   absl::StatusOr<ReplyPtr> reply = redis->Command({"GET", "dbcache:stats"});
//   absl::StatusOr<std::vector<ReplyPtr>> replies = redis->Pipeline(
//       {{"GET", "dbcache:stats"}, {"LRANGE", "dbcache:log", "0", "24"}});
class SyncClient {
 public:
  // Connects, sets the command timeout and authenticates when the endpoint
  // has a password. Errors name the endpoint, never the password.
  static absl::StatusOr<SyncClient> Connect(const SyncEndpoint& endpoint);

  SyncClient(SyncClient&&) = default;
  SyncClient& operator=(SyncClient&&) = default;

  // One command. An error reply from Redis comes back as a reply of type
  // REDIS_REPLY_ERROR; a transport error fails the call and marks the
  // connection broken (see healthy()).
  absl::StatusOr<ReplyPtr> CommandArgv(std::span<const std::string_view> argv);
  absl::StatusOr<ReplyPtr> Command(
      std::initializer_list<std::string_view> argv) {
    return CommandArgv(
        std::span<const std::string_view>(argv.begin(), argv.size()));
  }

  // Sends every command, then reads every reply: one round trip. Replies and
  // errors as for CommandArgv.
  absl::StatusOr<std::vector<ReplyPtr>> Pipeline(
      std::initializer_list<std::initializer_list<std::string_view>> commands);

  // GET as a string; nullopt for a missing key.
  absl::StatusOr<std::optional<std::string>> Get(std::string_view key);

  // After SUBSCRIBE: the next message payload, or DEADLINE_EXCEEDED. A
  // timed-out read leaves the connection broken.
  absl::StatusOr<std::string> ReadMessage(absl::Duration timeout);

  // False after a transport error (hiredis cannot use the context again) or
  // once moved from: the connection must not be reused.
  bool healthy() const { return healthy_ && context_ != nullptr; }

  const SyncEndpoint& endpoint() const { return endpoint_; }

 private:
  SyncClient(SyncEndpoint endpoint, SyncContextPtr context)
      : endpoint_(std::move(endpoint)), context_(std::move(context)) {}

  absl::Status ContextError(std::string_view what) const;
  absl::Status BrokenError() const;
  // Marks the connection broken and returns ContextError(what).
  absl::Status TransportError(std::string_view what);
  // Queues one command in hiredis's output buffer.
  absl::Status Append(std::span<const std::string_view> argv);
  // Flushes the output buffer and reads `count` replies; a failure is a
  // TransportError(what).
  absl::StatusOr<std::vector<ReplyPtr>> ReadReplies(size_t count,
                                                    std::string_view what);

  SyncEndpoint endpoint_;
  SyncContextPtr context_;
  bool healthy_ = true;
};

// Checked reads of a reply. Errors name `what` (a key or a command) and quote
// Redis's error text.
//
//   absl::StatusOr<std::optional<std::string>> stats =
//       ReplyString(**reply, "dbcache:stats");

// The bulk string of a reply; nullopt for nil. Any other type is an error.
absl::StatusOr<std::optional<std::string>> ReplyString(const redisReply& reply,
                                                       std::string_view what);
// The elements of an array reply that are bulk strings.
absl::StatusOr<std::vector<std::string>> ReplyStrings(const redisReply& reply,
                                                      std::string_view what);
// An integer reply.
absl::StatusOr<long long> ReplyInteger(const redisReply& reply,
                                       std::string_view what);

}  // namespace dbcache::redis

#endif  // DBCACHE_DAEMON_REDIS_SYNC_CLIENT_H_
