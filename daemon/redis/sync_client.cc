#include "daemon/redis/sync_client.h"

#include <sys/time.h>

#include <vector>

#include "daemon/common/str_cat.h"

namespace dbcache::redis {
namespace {

timeval Timeval(absl::Duration d) { return absl::ToTimeval(d); }

}  // namespace

absl::Status SyncClient::ContextError(std::string_view what) const {
  const std::string detail =
      context_ != nullptr && context_->err != 0 ? context_->errstr : "no reply";
  const std::string message = StrCat(what, " Redis at ", endpoint_.host, ":",
                                     endpoint_.port, ": ", detail);
  if (context_ != nullptr && context_->err == REDIS_ERR_IO &&
      (errno == EAGAIN || errno == EWOULDBLOCK)) {
    return absl::DeadlineExceededError(message);
  }
  return absl::UnavailableError(message);
}

absl::StatusOr<SyncClient> SyncClient::Connect(const SyncEndpoint& endpoint) {
  SyncContextPtr context(redisConnectWithTimeout(
      endpoint.host.c_str(), endpoint.port, Timeval(endpoint.timeout)));
  if (context == nullptr) {
    return absl::ResourceExhaustedError("cannot allocate a Redis context");
  }
  SyncClient client(endpoint, std::move(context));
  if (client.context_->err != 0)
    return client.ContextError("cannot connect to");
  redisSetTimeout(client.context_.get(), Timeval(endpoint.timeout));
  if (!endpoint.password.empty()) {
    absl::StatusOr<ReplyPtr> auth =
        endpoint.username.empty()
            ? client.Command({"AUTH", endpoint.password})
            : client.Command({"AUTH", endpoint.username, endpoint.password});
    if (!auth.ok()) return auth.status();
    if ((*auth)->type == REDIS_REPLY_ERROR) {
      return absl::PermissionDeniedError(StrCat(
          "Redis at ", endpoint.host, ":", endpoint.port,
          " refused AUTH: ", std::string_view((*auth)->str, (*auth)->len)));
    }
  }
  return client;
}

absl::StatusOr<ReplyPtr> SyncClient::CommandArgv(
    std::span<const std::string_view> argv) {
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  for (std::string_view a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  void* reply = redisCommandArgv(context_.get(), static_cast<int>(args.size()),
                                 args.data(), lengths.data());
  if (reply == nullptr) return ContextError("lost connection to");
  return ReplyPtr(static_cast<redisReply*>(reply));
}

absl::StatusOr<std::optional<std::string>> SyncClient::Get(
    std::string_view key) {
  absl::StatusOr<ReplyPtr> reply = Command({"GET", key});
  if (!reply.ok()) return reply.status();
  const redisReply* r = reply->get();
  if (r->type == REDIS_REPLY_NIL) return std::optional<std::string>();
  if (r->type == REDIS_REPLY_ERROR) {
    return absl::FailedPreconditionError(std::string(r->str, r->len));
  }
  return std::optional<std::string>(std::string(r->str, r->len));
}

absl::StatusOr<std::string> SyncClient::ReadMessage(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("no message before the deadline");
    }
    redisSetTimeout(context_.get(), Timeval(left));
    void* raw = nullptr;
    if (redisGetReply(context_.get(), &raw) != REDIS_OK) {
      absl::Status error = ContextError("waiting for a message from");
      // A timed-out read leaves the context unusable; later calls fail plainly.
      return error;
    }
    ReplyPtr reply(static_cast<redisReply*>(raw));
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
        reply->element[0]->type == REDIS_REPLY_STRING &&
        std::string_view(reply->element[0]->str, reply->element[0]->len) ==
            "message") {
      redisSetTimeout(context_.get(), Timeval(endpoint_.timeout));
      return std::string(reply->element[2]->str, reply->element[2]->len);
    }
  }
}

}  // namespace dbcache::redis
