#ifndef DBCACHE_DAEMON_REDIS_FALLBACK_CLIENT_H_
#define DBCACHE_DAEMON_REDIS_FALLBACK_CLIENT_H_

#include <cstdint>

#include "daemon/redis/redis_client.h"

namespace dbcache::redis {

// Sends commands to `preferred` while it is connected and to `fallback` while
// it is not: cache reads keep working on the primary while the reader (replica)
// is down. Built with fallback == nullptr it never switches, and reads fail
// (and are counted as errors) while the reader is down.
//
//   FallbackClient reads(reader, &primary);
//   // To the reader, or to the primary while the reader is down.
//   reads.Command({"GET", key}, callback);
class FallbackClient : public RedisClient {
 public:
  FallbackClient(RedisClient& preferred, RedisClient* fallback)
      : preferred_(preferred), fallback_(fallback) {}

  void CommandArgv(std::span<const std::string_view> argv,
                   ReplyCallback callback) override {
    Route().CommandArgv(argv, std::move(callback));
  }
  void Get(std::string_view key, ReplyCallback callback) override {
    Route().Get(key, std::move(callback));
  }
  bool connected() const override {
    return preferred_.connected() ||
           (fallback_ != nullptr && fallback_->connected());
  }
  // Commands sent to the fallback so far.
  uint64_t fallbacks() const { return fallbacks_; }

 private:
  // Where the next command goes, counted when it is the fallback.
  RedisClient& Route() {
    if (!preferred_.connected() && fallback_ != nullptr) {
      ++fallbacks_;
      return *fallback_;
    }
    return preferred_;
  }

  RedisClient& preferred_;
  RedisClient* fallback_;
  uint64_t fallbacks_ = 0;
};

}  // namespace dbcache::redis

#endif  // DBCACHE_DAEMON_REDIS_FALLBACK_CLIENT_H_
