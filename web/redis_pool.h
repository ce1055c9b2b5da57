#ifndef DBCACHE_WEB_REDIS_POOL_H_
#define DBCACHE_WEB_REDIS_POOL_H_

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/redis/sync_client.h"

namespace dbcache::web {

// Idle blocking connections (redis::SyncClient) to one endpoint, shared by
// dbcache-web's event-loop threads. A thread borrows one for a few commands
// (creating it if none is idle, so there is at most one per concurrent caller)
// and gives it back; a broken one is dropped, and the next borrow reconnects.
// Connect attempts after a failure are throttled: within kRetryInterval of it,
// Borrow fails at once with the same error, so a Redis outage does not make
// every request wait for a connect timeout.
//
//   RedisPool pool(endpoint);
//   absl::StatusOr<redis::ReplyPtr> reply =
//       pool.Call([&](redis::SyncClient& redis) {
//         return redis.Command({"GET", key});
//       });
class RedisPool {
 public:
  static constexpr absl::Duration kRetryInterval = absl::Milliseconds(250);
  static constexpr size_t kMaxIdle = 16;

  // Returns its connection to the pool when destroyed, unless it broke.
  class Lease {
   public:
    Lease(RedisPool* pool, std::unique_ptr<redis::SyncClient> connection,
          bool reused)
        : pool_(pool), connection_(std::move(connection)), reused_(reused) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease();

    redis::SyncClient* operator->() const { return connection_.get(); }
    redis::SyncClient& operator*() const { return *connection_; }
    // Whether the connection sat idle in the pool before (it may have been
    // closed by the server meanwhile).
    bool reused() const { return reused_; }

   private:
    RedisPool* pool_;
    std::unique_ptr<redis::SyncClient> connection_;
    bool reused_;
  };

  explicit RedisPool(redis::SyncEndpoint endpoint)
      : endpoint_(std::move(endpoint)) {}

  absl::StatusOr<Lease> Borrow();

  // Calls f(redis::SyncClient&) -> absl::StatusOr<T> on a borrowed
  // connection. When a connection that sat idle fails at the transport level
  // (Redis closed it meanwhile: a restart, a failover, its idle timeout),
  // every idle connection is dropped and f runs once more on a new one, so
  // that a Redis restart costs callers nothing but a reconnect. A timeout is
  // not retried: a Redis that accepts and never answers (stalled, half-open)
  // would cost every caller two; it drops the idle connections and throttles
  // Borrow like a failed connect.
  template <typename F>
  auto Call(F f) -> decltype(f(std::declval<redis::SyncClient&>())) {
    for (int attempt = 0;; ++attempt) {
      absl::StatusOr<Lease> lease = Borrow();
      if (!lease.ok()) return lease.status();
      auto result = f(**lease);
      if (absl::IsDeadlineExceeded(result.status())) {
        // The idle ones are likely as silent (a stalled or failed-over
        // server): each would cost its next caller a timeout too.
        DropIdle();
        NoteFailure(result.status());
        return result;
      }
      if (result.ok() || (*lease)->healthy() || !lease->reused() ||
          attempt > 0) {
        return result;
      }
      DropIdle();
    }
  }

  const redis::SyncEndpoint& endpoint() const { return endpoint_; }

 private:
  void Return(std::unique_ptr<redis::SyncClient> connection);
  void DropIdle();
  void NoteFailure(const absl::Status& status);

  const redis::SyncEndpoint endpoint_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<redis::SyncClient>> idle_ ABSL_GUARDED_BY(mu_);
  absl::Time last_failure_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Status last_failure_status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_REDIS_POOL_H_
