#ifndef DBCACHE_DAEMON_REDIS_SYNC_CLIENT_H_
#define DBCACHE_DAEMON_REDIS_SYNC_CLIENT_H_

#include <hiredis/hiredis.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace dbcache::redis {

struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;
using SyncContextPtr = std::unique_ptr<redisContext, ContextFree>;

struct SyncEndpoint {
  std::string host;
  int port = 6379;
  std::string username;
  std::string password;  // Never appears in an error.
  absl::Duration timeout = absl::Seconds(2);
};

// A blocking hiredis connection for the command-line tool and tests: connect
// with a timeout, AUTH, binary-safe commands, and pub/sub reads with a
// deadline. (The daemon never blocks: it uses RedisConnection.)
//
//   absl::StatusOr<SyncClient> redis = SyncClient::Connect({"127.0.0.1",
//   16379}); absl::StatusOr<ReplyPtr> reply = redis->Command({"GET",
//   "dbcache:stats"});
class SyncClient {
 public:
  static absl::StatusOr<SyncClient> Connect(const SyncEndpoint& endpoint);

  absl::StatusOr<ReplyPtr> CommandArgv(std::span<const std::string_view> argv);
  absl::StatusOr<ReplyPtr> Command(
      std::initializer_list<std::string_view> argv) {
    return CommandArgv(
        std::span<const std::string_view>(argv.begin(), argv.size()));
  }
  // GET as a string; nullopt for a missing key.
  absl::StatusOr<std::optional<std::string>> Get(std::string_view key);

  // After SUBSCRIBE: the next message payload, or DEADLINE_EXCEEDED.
  absl::StatusOr<std::string> ReadMessage(absl::Duration timeout);

  const SyncEndpoint& endpoint() const { return endpoint_; }

 private:
  SyncClient(SyncEndpoint endpoint, SyncContextPtr context)
      : endpoint_(std::move(endpoint)), context_(std::move(context)) {}
  absl::Status ContextError(std::string_view what) const;

  SyncEndpoint endpoint_;
  SyncContextPtr context_;
};

}  // namespace dbcache::redis

#endif  // DBCACHE_DAEMON_REDIS_SYNC_CLIENT_H_
