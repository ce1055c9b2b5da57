#ifndef DBCACHE_DAEMON_APP_CACHE_FLUSHER_H_
#define DBCACHE_DAEMON_APP_CACHE_FLUSHER_H_

#include <cstdint>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "daemon/redis/redis_client.h"

namespace dbcache::app {

// Removes this daemon's cached results (<prefix>q:*) with SCAN + UNLINK, a
// batch at a time, so a large cache never blocks Redis the way KEYS + DEL
// would.
//
//   CacheFlusher flusher(primary, "dbcache:");
//   flusher.Flush([](absl::StatusOr<uint64_t> removed) { ... });
class CacheFlusher {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<uint64_t> removed)>;

  CacheFlusher(redis::RedisClient& primary, std::string prefix);
  // A Flush while another is going is refused with FAILED_PRECONDITION.
  void Flush(Done done);
  bool flushing() const { return flushing_; }

 private:
  void Scan(std::string cursor);
  void Finish(absl::StatusOr<uint64_t> result);

  redis::RedisClient& primary_;
  const std::string pattern_;
  bool flushing_ = false;
  uint64_t removed_ = 0;
  Done done_;
};

}  // namespace dbcache::app

#endif  // DBCACHE_DAEMON_APP_CACHE_FLUSHER_H_
