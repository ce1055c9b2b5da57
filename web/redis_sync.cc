#include "web/redis_sync.h"

#include <sys/time.h>

#include <utility>

#include "absl/strings/str_format.h"
#include "daemon/common/str_cat.h"

namespace dbcache::web {
namespace {

std::vector<const char*> ArgPointers(const std::vector<std::string>& args,
                                     std::vector<size_t>* lengths) {
  std::vector<const char*> pointers;
  pointers.reserve(args.size());
  lengths->clear();
  lengths->reserve(args.size());
  for (const std::string& arg : args) {
    pointers.push_back(arg.data());
    lengths->push_back(arg.size());
  }
  return pointers;
}

std::string_view ReplyText(const redisReply& reply) {
  return std::string_view(reply.str, reply.len);
}

}  // namespace

std::string RedisTarget::Name() const {
  // A bare IPv6 address needs brackets to be read back as host:port.
  if (host.find(':') != std::string::npos) {
    return StrCat("[", host, "]:", port);
  }
  return StrCat(host, ":", port);
}

absl::StatusOr<std::unique_ptr<RedisConnection>> RedisConnection::Connect(
    const RedisTarget& target) {
  RedisContextPtr context(
      redisConnectWithTimeout(target.host.c_str(), target.port,
                              absl::ToTimeval(target.connect_timeout)));
  if (context == nullptr) {
    return absl::ResourceExhaustedError(
        StrCat("cannot allocate a Redis context for ", target.Name()));
  }
  if (context->err != 0) {
    return absl::UnavailableError(StrCat("cannot connect to Redis at ",
                                         target.Name(), ": ",
                                         std::string_view(context->errstr)));
  }
  if (redisSetTimeout(context.get(), absl::ToTimeval(target.command_timeout)) !=
      REDIS_OK) {
    return absl::UnavailableError(
        StrCat("cannot set the command timeout for Redis at ", target.Name()));
  }
  std::unique_ptr<RedisConnection> connection(
      new RedisConnection(std::move(context), target.Name()));
  if (!target.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!target.username.empty()) auth.push_back(target.username);
    auth.push_back(target.password);
    absl::StatusOr<RedisReplyPtr> reply = connection->Command(auth);
    if (!reply.ok()) return reply.status();
    if ((*reply)->type == REDIS_REPLY_ERROR) {
      // Redis's own text ("WRONGPASS invalid username-password pair") never
      // echoes the password.
      return absl::PermissionDeniedError(
          StrCat("Redis at ", target.Name(),
                 " refused the credentials: ", ReplyText(**reply)));
    }
  }
  return connection;
}

absl::Status RedisConnection::TransportError(std::string_view what) {
  healthy_ = false;
  const std::string_view detail =
      context_->err != 0 ? std::string_view(context_->errstr) : "unknown error";
  return absl::UnavailableError(
      StrCat("Redis at ", name_, ": ", what, ": ", detail));
}

absl::StatusOr<std::vector<RedisReplyPtr>> RedisConnection::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  if (!healthy_)
    return absl::UnavailableError(
        StrCat("Redis at ", name_, ": connection is broken"));
  std::vector<size_t> lengths;
  for (const std::vector<std::string>& args : commands) {
    std::vector<const char*> pointers = ArgPointers(args, &lengths);
    if (redisAppendCommandArgv(context_.get(), static_cast<int>(args.size()),
                               pointers.data(), lengths.data()) != REDIS_OK) {
      return TransportError("cannot queue a command");
    }
  }
  std::vector<RedisReplyPtr> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr) {
      if (raw != nullptr) freeReplyObject(raw);
      return TransportError("no reply");
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

absl::StatusOr<RedisReplyPtr> RedisConnection::Command(
    const std::vector<std::string>& args) {
  absl::StatusOr<std::vector<RedisReplyPtr>> replies = Pipeline({args});
  if (!replies.ok()) return replies.status();
  return std::move(replies->front());
}

RedisPool::Lease::~Lease() {
  if (connection_ != nullptr && connection_->healthy()) {
    pool_->Return(std::move(connection_));
  }
}

absl::StatusOr<RedisPool::Lease> RedisPool::Borrow() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      std::unique_ptr<RedisConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection), /*reused=*/true);
    }
    if (absl::Now() - last_failure_ < kRetryInterval) {
      return last_failure_status_;
    }
  }
  // Connect outside the lock: another thread may return or borrow meanwhile.
  absl::StatusOr<std::unique_ptr<RedisConnection>> connection =
      RedisConnection::Connect(target_);
  if (!connection.ok()) {
    absl::MutexLock lock(&mu_);
    last_failure_ = absl::Now();
    last_failure_status_ = connection.status();
    return connection.status();
  }
  return Lease(this, *std::move(connection), /*reused=*/false);
}

void RedisPool::Return(std::unique_ptr<RedisConnection> connection) {
  absl::MutexLock lock(&mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(connection));
}

void RedisPool::DropIdle() {
  std::vector<std::unique_ptr<RedisConnection>> dropped;
  absl::MutexLock lock(&mu_);
  dropped.swap(idle_);
}

absl::StatusOr<std::optional<std::string>> ReplyString(const redisReply& reply,
                                                       std::string_view what) {
  switch (reply.type) {
    case REDIS_REPLY_NIL:
      return std::nullopt;
    case REDIS_REPLY_STRING:
      return std::string(ReplyText(reply));
    case REDIS_REPLY_ERROR:
      return absl::FailedPreconditionError(
          StrCat(what, ": Redis error: ", ReplyText(reply)));
    default:
      return absl::FailedPreconditionError(absl::StrFormat(
          "%s: unexpected Redis reply type %d", what, reply.type));
  }
}

absl::StatusOr<std::vector<std::string>> ReplyStrings(const redisReply& reply,
                                                      std::string_view what) {
  if (reply.type == REDIS_REPLY_ERROR) {
    return absl::FailedPreconditionError(
        StrCat(what, ": Redis error: ", ReplyText(reply)));
  }
  if (reply.type != REDIS_REPLY_ARRAY) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s: expected an array reply, got type %d", what, reply.type));
  }
  std::vector<std::string> out;
  out.reserve(reply.elements);
  for (size_t i = 0; i < reply.elements; ++i) {
    const redisReply* element = reply.element[i];
    if (element->type == REDIS_REPLY_STRING)
      out.emplace_back(ReplyText(*element));
  }
  return out;
}

absl::StatusOr<long long> ReplyInteger(const redisReply& reply,
                                       std::string_view what) {
  if (reply.type == REDIS_REPLY_INTEGER) return reply.integer;
  if (reply.type == REDIS_REPLY_ERROR) {
    return absl::FailedPreconditionError(
        StrCat(what, ": Redis error: ", ReplyText(reply)));
  }
  return absl::FailedPreconditionError(absl::StrFormat(
      "%s: expected an integer reply, got type %d", what, reply.type));
}

}  // namespace dbcache::web
