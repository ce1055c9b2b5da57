#ifndef DBCACHE_WEB_REDIS_SYNC_H_
#define DBCACHE_WEB_REDIS_SYNC_H_

#include <hiredis/hiredis.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace dbcache::web {

struct RedisReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
// A reply owned by the caller; hiredis frees nested elements with the root.
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyDeleter>;

struct RedisContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
using RedisContextPtr = std::unique_ptr<redisContext, RedisContextDeleter>;

// Where and how to connect to one Redis endpoint.
struct RedisTarget {
  std::string host;
  int port = 0;
  std::string username;  // ACL user; empty: the default user.
  std::string password;  // Secret: never logged or returned in a status.
  absl::Duration connect_timeout = absl::Seconds(2);
  absl::Duration command_timeout = absl::Seconds(2);

  // "host:port", for messages.
  std::string Name() const;
};

// One blocking hiredis connection, for dbcache-web's worker threads:
// dbcache-web only ever asks Redis small questions, so a blocking call with a
// timeout is simpler than an event loop and costs one round trip either way.
// Not thread-safe; a RedisPool hands each connection to one thread at a time.
//
//   absl::StatusOr<std::unique_ptr<RedisConnection>> connection =
//       RedisConnection::Connect(target);
//   if (!connection.ok()) return connection.status();
//   absl::StatusOr<std::vector<RedisReplyPtr>> replies =
//       (*connection)->Pipeline({{"GET", "dbcache:stats"}, {"LRANGE",
//       "dbcache:log", "0", "24"}});
class RedisConnection {
 public:
  // Connects, sets the command timeout and authenticates when the target has a
  // password. Errors name the endpoint, never the password.
  static absl::StatusOr<std::unique_ptr<RedisConnection>> Connect(
      const RedisTarget& target);

  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends every command, then reads every reply: one round trip. An error
  // reply from Redis comes back as a reply of type REDIS_REPLY_ERROR; a
  // transport error fails the call and marks the connection broken.
  absl::StatusOr<std::vector<RedisReplyPtr>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  absl::StatusOr<RedisReplyPtr> Command(const std::vector<std::string>& args);

  // False after a transport error: the connection must not be reused.
  bool healthy() const { return healthy_; }

 private:
  RedisConnection(RedisContextPtr context, std::string name)
      : context_(std::move(context)), name_(std::move(name)) {}

  absl::Status TransportError(std::string_view what);

  RedisContextPtr context_;
  std::string name_;
  bool healthy_ = true;
};

// Idle connections to one endpoint, shared by threads. A thread borrows one for
// a few commands (creating it if none is idle, so there is at most one per
// concurrent caller) and gives it back; a broken one is dropped, and the next
// borrow reconnects. Connect attempts after a failure are throttled: within
// kRetryInterval of it, Borrow fails at once with the same error, so a Redis
// outage does not make every request wait for a connect timeout.
//
//   RedisPool pool(target);
//   absl::StatusOr<RedisPool::Lease> lease = pool.Borrow();
//   if (!lease.ok()) return lease.status();
//   auto reply = (*lease)->Command({"GET", key});
class RedisPool {
 public:
  static constexpr absl::Duration kRetryInterval = absl::Milliseconds(250);
  static constexpr size_t kMaxIdle = 16;

  // Returns its connection to the pool when destroyed, unless it broke.
  class Lease {
   public:
    Lease(RedisPool* pool, std::unique_ptr<RedisConnection> connection,
          bool reused)
        : pool_(pool), connection_(std::move(connection)), reused_(reused) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease();

    RedisConnection* operator->() const { return connection_.get(); }
    RedisConnection& operator*() const { return *connection_; }
    // Whether the connection sat idle in the pool before (it may have been
    // closed by the server meanwhile).
    bool reused() const { return reused_; }

   private:
    RedisPool* pool_;
    std::unique_ptr<RedisConnection> connection_;
    bool reused_;
  };

  explicit RedisPool(RedisTarget target) : target_(std::move(target)) {}

  absl::StatusOr<Lease> Borrow();

  // Calls f(RedisConnection&) -> absl::StatusOr<T> on a borrowed connection.
  // When a connection that sat idle fails at the transport level (Redis closed
  // it meanwhile: a restart, a failover, its idle timeout), every idle
  // connection is dropped and f runs once more on a new one, so that a Redis
  // restart costs callers nothing but a reconnect.
  template <typename F>
  auto Call(F f) -> decltype(f(std::declval<RedisConnection&>())) {
    for (int attempt = 0;; ++attempt) {
      absl::StatusOr<Lease> lease = Borrow();
      if (!lease.ok()) return lease.status();
      auto result = f(**lease);
      if (result.ok() || (*lease)->healthy() || !lease->reused() ||
          attempt > 0) {
        return result;
      }
      DropIdle();
    }
  }

  const RedisTarget& target() const { return target_; }

 private:
  void Return(std::unique_ptr<RedisConnection> connection);
  void DropIdle();

  const RedisTarget target_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<RedisConnection>> idle_ ABSL_GUARDED_BY(mu_);
  absl::Time last_failure_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Status last_failure_status_ ABSL_GUARDED_BY(mu_);
};

// The bulk string of a reply; nullopt for nil. Any other type is an error
// naming `what`.
absl::StatusOr<std::optional<std::string>> ReplyString(const redisReply& reply,
                                                       std::string_view what);
// The elements of an array reply, each a bulk string.
absl::StatusOr<std::vector<std::string>> ReplyStrings(const redisReply& reply,
                                                      std::string_view what);
// An integer reply.
absl::StatusOr<long long> ReplyInteger(const redisReply& reply,
                                       std::string_view what);

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_REDIS_SYNC_H_
