#include "web/redis_pool.h"

#include <utility>

#include "web/monotonic_clock.h"

namespace dbcache::web {

RedisPool::Lease::~Lease() {
  if (connection_ != nullptr && connection_->healthy()) {
    pool_->Return(std::move(connection_));
  }
}

absl::StatusOr<RedisPool::Lease> RedisPool::Borrow() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      std::unique_ptr<redis::SyncClient> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection), /*reused=*/true);
    }
    if (MonotonicNow() - last_failure_ < kRetryInterval) {
      return last_failure_status_;
    }
  }
  // Connect outside the lock: another thread may return or borrow meanwhile.
  absl::StatusOr<redis::SyncClient> connection =
      redis::SyncClient::Connect(endpoint_);
  if (!connection.ok()) {
    NoteFailure(connection.status());
    return connection.status();
  }
  return Lease(this,
               std::make_unique<redis::SyncClient>(*std::move(connection)),
               /*reused=*/false);
}

void RedisPool::Return(std::unique_ptr<redis::SyncClient> connection) {
  absl::MutexLock lock(&mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(connection));
}

void RedisPool::NoteFailure(const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  last_failure_ = MonotonicNow();
  last_failure_status_ = status;
}

void RedisPool::DropIdle() {
  std::vector<std::unique_ptr<redis::SyncClient>> dropped;
  absl::MutexLock lock(&mu_);
  dropped.swap(idle_);
}

}  // namespace dbcache::web
