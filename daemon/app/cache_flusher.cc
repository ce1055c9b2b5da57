#include "daemon/app/cache_flusher.h"

#include <string_view>
#include <vector>

#include "daemon/common/str_cat.h"

namespace dbcache::app {

CacheFlusher::CacheFlusher(redis::RedisClient& primary, std::string prefix)
    : primary_(primary), pattern_(StrCat(prefix, "q:*")) {}

void CacheFlusher::Flush(Done done) {
  if (flushing_) {
    done(absl::FailedPreconditionError("a flush is already going"));
    return;
  }
  flushing_ = true;
  removed_ = 0;
  done_ = std::move(done);
  Scan("0");
}

void CacheFlusher::Scan(std::string cursor) {
  primary_.Command(
      {"SCAN", cursor, "MATCH", pattern_, "COUNT", "1000"},
      [this](const redis::RedisReply& reply) {
        if (!reply.ok() || reply.is_error()) {
          Finish(reply.AsStatus());
          return;
        }
        const redisReply* r = reply.raw();
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
            r->element[0]->type != REDIS_REPLY_STRING ||
            r->element[1]->type != REDIS_REPLY_ARRAY) {
          Finish(absl::InternalError("unexpected SCAN reply"));
          return;
        }
        std::string next(r->element[0]->str, r->element[0]->len);
        const redisReply* keys = r->element[1];
        if (keys->elements > 0) {
          std::vector<std::string_view> argv = {"UNLINK"};
          for (size_t i = 0; i < keys->elements; ++i) {
            argv.emplace_back(keys->element[i]->str, keys->element[i]->len);
          }
          primary_.CommandArgv(argv, [this](const redis::RedisReply& unlinked) {
            if (unlinked.is_integer()) {
              removed_ += static_cast<uint64_t>(unlinked.integer());
            }
          });
        }
        if (next == "0") {
          // Replies come in order: a PING after the last UNLINK answers after
          // it.
          primary_.Command({"PING"}, [this](const redis::RedisReply& pong) {
            if (!pong.ok()) {
              Finish(pong.AsStatus());
            } else {
              Finish(removed_);
            }
          });
          return;
        }
        Scan(std::move(next));
      });
}

void CacheFlusher::Finish(absl::StatusOr<uint64_t> result) {
  flushing_ = false;
  Done done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(result));
}

}  // namespace dbcache::app
