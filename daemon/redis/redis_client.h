#ifndef DBCACHE_DAEMON_REDIS_REDIS_CLIENT_H_
#define DBCACHE_DAEMON_REDIS_REDIS_CLIENT_H_

#include <initializer_list>
#include <span>
#include <string_view>
#include <utility>

#include "daemon/redis/redis_reply.h"

namespace dbcache::redis {

// What the run engine and the daemon need from a Redis connection: binary-safe
// commands with a callback. RedisConnection implements it on hiredis; unit
// tests use a scripted fake. The callback always runs later from the loop,
// never inside Command().
//
//   client.Command({"PSETEX", key, ttl_ms, value}, [](const RedisReply& r) {
//   ... });
class RedisClient {
 public:
  virtual ~RedisClient() = default;

  virtual void CommandArgv(std::span<const std::string_view> argv,
                           ReplyCallback callback) = 0;
  virtual bool connected() const = 0;
  // GET, the hit path's one command: a connection may send it without the
  // generic argv formatting (see RedisConnection::Get).
  virtual void Get(std::string_view key, ReplyCallback callback) {
    Command({"GET", key}, std::move(callback));
  }

  void Command(std::initializer_list<std::string_view> argv,
               ReplyCallback callback) {
    CommandArgv(std::span<const std::string_view>(argv.begin(), argv.size()),
                std::move(callback));
  }
};

}  // namespace dbcache::redis

#endif  // DBCACHE_DAEMON_REDIS_REDIS_CLIENT_H_
