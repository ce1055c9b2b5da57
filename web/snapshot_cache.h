#ifndef DBCACHE_WEB_SNAPSHOT_CACHE_H_
#define DBCACHE_WEB_SNAPSHOT_CACHE_H_

#include <functional>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "web/monotonic_clock.h"

namespace dbcache::web {

// The last result of an expensive fetch, shared by threads for `max_age`, so
// that a hundred open pages polling four times a second cost Redis one fetch
// per max_age instead of four hundred a second. Fetches are single-flight: when
// the value is stale, one caller fetches while the others wait for its result
// instead of fetching too. Errors are cached like values, so an unreachable
// Redis is asked once per max_age as well.
//
//   SnapshotCache<Snapshot> cache(absl::Milliseconds(50),
//                                 [&] { return FetchFromRedis(); });
//   std::shared_ptr<const absl::StatusOr<Snapshot>> snapshot = cache.Get();
//   if (!(*snapshot).ok()) return Unavailable((*snapshot).status());
template <typename T>
class SnapshotCache {
 public:
  using Value = absl::StatusOr<T>;
  using Fetch = std::function<Value()>;
  using Clock = std::function<absl::Time()>;

  SnapshotCache(absl::Duration max_age, Fetch fetch, Clock clock = MonotonicNow)
      : max_age_(max_age), fetch_(std::move(fetch)), clock_(std::move(clock)) {}

  SnapshotCache(const SnapshotCache&) = delete;
  SnapshotCache& operator=(const SnapshotCache&) = delete;

  // The cached value if it is younger than max_age, else a fresh one.
  std::shared_ptr<const Value> Get() {
    if (std::shared_ptr<const Value> value = Fresh(); value != nullptr) {
      return value;
    }
    absl::MutexLock fetch_lock(&fetch_mu_);
    // Whoever held fetch_mu_ before us may just have fetched.
    if (std::shared_ptr<const Value> value = Fresh(); value != nullptr) {
      return value;
    }
    auto value = std::make_shared<const Value>(fetch_());
    // Age counts from the end of the fetch: a slow fetch still serves the
    // callers that queued up behind it.
    const absl::Time fetched_at = clock_();
    absl::MutexLock lock(&mu_);
    value_ = value;
    fetched_at_ = fetched_at;
    return value;
  }

  // Drops the cached value, e.g. after a write that readers must see.
  void Invalidate() {
    absl::MutexLock lock(&mu_);
    value_ = nullptr;
  }

 private:
  std::shared_ptr<const Value> Fresh() {
    const absl::Time now = clock_();
    absl::MutexLock lock(&mu_);
    if (value_ != nullptr && now - fetched_at_ < max_age_) return value_;
    return nullptr;
  }

  const absl::Duration max_age_;
  const Fetch fetch_;
  const Clock clock_;
  absl::Mutex fetch_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  absl::Mutex mu_;
  std::shared_ptr<const Value> value_ ABSL_GUARDED_BY(mu_);
  absl::Time fetched_at_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_SNAPSHOT_CACHE_H_
