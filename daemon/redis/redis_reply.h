#ifndef DBCACHE_DAEMON_REDIS_REDIS_REPLY_H_
#define DBCACHE_DAEMON_REDIS_REDIS_REPLY_H_

#include <hiredis/hiredis.h>

#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"

namespace dbcache::redis {

// A reply as handed to a command's callback: either a transport failure
// (connection lost, timed out, not connected) or a borrowed hiredis reply. Like
// hiredis replies it is valid only during the callback; copy what you keep.
//
//   client.Command({"GET", key}, [](const RedisReply& r) {
//     if (!r.ok()) return CountError(r.status());
//     if (r.is_nil()) return Miss();
//     Hit(r.str());
//   });
class RedisReply {
 public:
  explicit RedisReply(const redisReply* reply) : reply_(reply) {}
  explicit RedisReply(absl::Status transport_error)
      : status_(std::move(transport_error)) {}

  // False on a transport failure; a Redis error reply ("-ERR ...") is ok() but
  // is_error(). AsStatus() folds both into one Status.
  bool ok() const { return status_.ok() && reply_ != nullptr; }
  const absl::Status& status() const { return status_; }
  absl::Status AsStatus() const;

  const redisReply* raw() const { return reply_; }
  bool is_nil() const { return ok() && reply_->type == REDIS_REPLY_NIL; }
  bool is_string() const {
    return ok() && (reply_->type == REDIS_REPLY_STRING ||
                    reply_->type == REDIS_REPLY_STATUS);
  }
  bool is_error() const { return ok() && reply_->type == REDIS_REPLY_ERROR; }
  bool is_integer() const {
    return ok() && reply_->type == REDIS_REPLY_INTEGER;
  }
  bool is_array() const { return ok() && reply_->type == REDIS_REPLY_ARRAY; }
  std::string_view str() const {
    return ok() && reply_->str != nullptr
               ? std::string_view(reply_->str, reply_->len)
               : std::string_view();
  }
  long long integer() const { return is_integer() ? reply_->integer : 0; }

 private:
  absl::Status status_;
  const redisReply* reply_ = nullptr;
};

using ReplyCallback = absl::AnyInvocable<void(const RedisReply&)>;

}  // namespace dbcache::redis

#endif  // DBCACHE_DAEMON_REDIS_REDIS_REPLY_H_
