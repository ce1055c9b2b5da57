#include "daemon/redis/sync_client.h"

#include <sys/time.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "daemon/common/str_cat.h"

namespace dbcache::redis {
namespace {

timeval Timeval(absl::Duration d) { return absl::ToTimeval(d); }

std::string_view ReplyText(const redisReply& reply) {
  return std::string_view(reply.str, reply.len);
}

absl::Status RedisError(const redisReply& reply, std::string_view what) {
  return absl::FailedPreconditionError(
      StrCat(what, ": Redis error: ", ReplyText(reply)));
}

}  // namespace

std::string SyncEndpoint::Name() const {
  // A bare IPv6 address needs brackets to be read back as host:port.
  if (host.find(':') != std::string::npos) {
    return StrCat("[", host, "]:", port);
  }
  return StrCat(host, ":", port);
}

absl::Status SyncClient::ContextError(std::string_view what) const {
  const std::string detail =
      context_ != nullptr && context_->err != 0 ? context_->errstr : "no reply";
  const std::string message =
      StrCat(what, " Redis at ", endpoint_.Name(), ": ", detail);
  if (context_ != nullptr && context_->err == REDIS_ERR_IO &&
      (errno == EAGAIN || errno == EWOULDBLOCK)) {
    return absl::DeadlineExceededError(message);
  }
  return absl::UnavailableError(message);
}

absl::Status SyncClient::BrokenError() const {
  return absl::UnavailableError(
      StrCat("Redis at ", endpoint_.Name(), ": connection is broken"));
}

absl::Status SyncClient::TransportError(std::string_view what) {
  healthy_ = false;
  return ContextError(what);
}

absl::StatusOr<SyncClient> SyncClient::Connect(const SyncEndpoint& endpoint) {
  SyncContextPtr context(redisConnectWithTimeout(
      endpoint.host.c_str(), endpoint.port, Timeval(endpoint.timeout)));
  if (context == nullptr) {
    return absl::ResourceExhaustedError(
        StrCat("cannot allocate a Redis context for ", endpoint.Name()));
  }
  SyncClient client(endpoint, std::move(context));
  if (client.context_->err != 0) {
    return client.ContextError("cannot connect to");
  }
  if (redisSetTimeout(client.context_.get(),
                      Timeval(endpoint.CommandTimeout())) != REDIS_OK) {
    return absl::UnavailableError(StrCat(
        "cannot set the command timeout for Redis at ", endpoint.Name()));
  }
  if (!endpoint.password.empty()) {
    absl::StatusOr<ReplyPtr> auth =
        endpoint.username.empty()
            ? client.Command({"AUTH", endpoint.password})
            : client.Command({"AUTH", endpoint.username, endpoint.password});
    if (!auth.ok()) return auth.status();
    if ((*auth)->type == REDIS_REPLY_ERROR) {
      // Redis's own text ("WRONGPASS invalid username-password pair") never
      // echoes the password.
      return absl::PermissionDeniedError(StrCat(
          "Redis at ", endpoint.Name(), " refused AUTH: ", ReplyText(**auth)));
    }
  }
  return client;
}

absl::Status SyncClient::Append(std::span<const std::string_view> argv) {
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (std::string_view a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  if (redisAppendCommandArgv(context_.get(), static_cast<int>(args.size()),
                             args.data(), lengths.data()) != REDIS_OK) {
    return TransportError("cannot queue a command for");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ReplyPtr>> SyncClient::ReadReplies(
    size_t count, std::string_view what) {
  std::vector<ReplyPtr> replies;
  replies.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr) {
      if (raw != nullptr) freeReplyObject(raw);
      return TransportError(what);
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

absl::StatusOr<ReplyPtr> SyncClient::CommandArgv(
    std::span<const std::string_view> argv) {
  if (!healthy()) return BrokenError();
  if (absl::Status queued = Append(argv); !queued.ok()) return queued;
  absl::StatusOr<std::vector<ReplyPtr>> replies =
      ReadReplies(1, "lost connection to");
  if (!replies.ok()) return replies.status();
  return std::move(replies->front());
}

absl::StatusOr<std::vector<ReplyPtr>> SyncClient::Pipeline(
    std::initializer_list<std::initializer_list<std::string_view>> commands) {
  if (!healthy()) return BrokenError();
  for (std::initializer_list<std::string_view> argv : commands) {
    if (absl::Status queued = Append(argv); !queued.ok()) return queued;
  }
  return ReadReplies(commands.size(), "lost connection to");
}

absl::StatusOr<std::optional<std::string>> SyncClient::Get(
    std::string_view key) {
  absl::StatusOr<ReplyPtr> reply = Command({"GET", key});
  if (!reply.ok()) return reply.status();
  return ReplyString(**reply, key);
}

absl::StatusOr<std::string> SyncClient::ReadMessage(absl::Duration timeout) {
  if (!healthy()) return BrokenError();
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("no message before the deadline");
    }
    redisSetTimeout(context_.get(), Timeval(left));
    // A timed-out read leaves the context unusable; later calls fail plainly.
    absl::StatusOr<std::vector<ReplyPtr>> replies =
        ReadReplies(1, "waiting for a message from");
    if (!replies.ok()) return replies.status();
    const ReplyPtr& reply = replies->front();
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
        reply->element[0]->type == REDIS_REPLY_STRING &&
        ReplyText(*reply->element[0]) == "message") {
      redisSetTimeout(context_.get(), Timeval(endpoint_.CommandTimeout()));
      return std::string(ReplyText(*reply->element[2]));
    }
  }
}

absl::StatusOr<std::optional<std::string>> ReplyString(const redisReply& reply,
                                                       std::string_view what) {
  switch (reply.type) {
    case REDIS_REPLY_NIL:
      return std::nullopt;
    case REDIS_REPLY_STRING:
      return std::string(ReplyText(reply));
    case REDIS_REPLY_ERROR:
      return RedisError(reply, what);
    default:
      return absl::FailedPreconditionError(
          StrCat(what, ": unexpected Redis reply type ", reply.type));
  }
}

absl::StatusOr<std::vector<std::string>> ReplyStrings(const redisReply& reply,
                                                      std::string_view what) {
  if (reply.type == REDIS_REPLY_ERROR) return RedisError(reply, what);
  if (reply.type != REDIS_REPLY_ARRAY) {
    return absl::FailedPreconditionError(
        StrCat(what, ": expected an array reply, got type ", reply.type));
  }
  std::vector<std::string> out;
  out.reserve(reply.elements);
  for (size_t i = 0; i < reply.elements; ++i) {
    const redisReply* element = reply.element[i];
    if (element->type == REDIS_REPLY_STRING) {
      out.emplace_back(ReplyText(*element));
    }
  }
  return out;
}

absl::StatusOr<long long> ReplyInteger(const redisReply& reply,
                                       std::string_view what) {
  if (reply.type == REDIS_REPLY_INTEGER) return reply.integer;
  if (reply.type == REDIS_REPLY_ERROR) return RedisError(reply, what);
  return absl::FailedPreconditionError(
      StrCat(what, ": expected an integer reply, got type ", reply.type));
}

}  // namespace dbcache::redis
