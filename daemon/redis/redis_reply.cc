#include "daemon/redis/redis_reply.h"

#include <string>

namespace dbcache::redis {

absl::Status RedisReply::AsStatus() const {
  if (!status_.ok()) return status_;
  if (reply_ == nullptr) return absl::UnavailableError("no reply");
  if (reply_->type == REDIS_REPLY_ERROR) {
    return absl::FailedPreconditionError(std::string(str()));
  }
  return absl::OkStatus();
}

}  // namespace dbcache::redis
