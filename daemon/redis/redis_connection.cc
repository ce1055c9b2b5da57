#include "daemon/redis/redis_connection.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "daemon/common/log.h"
#include "daemon/common/str_cat.h"
#include "daemon/redis/libevent_adapter.h"

namespace dbcache::redis {

// A command in flight: hiredis hands this back as privdata with the reply.
struct RedisConnection::Pending {
  RedisConnection* connection;
  ReplyCallback callback;
};

std::string_view RedisStateName(RedisState state) {
  switch (state) {
    case RedisState::kStopped:
      return "stopped";
    case RedisState::kConnecting:
      return "connecting";
    case RedisState::kConnected:
      return "connected";
    case RedisState::kBackoff:
      return "reconnecting";
  }
  return "unknown";
}

RedisConnection::RedisConnection(loop::EventLoop& loop,
                                 loop::Scheduler& scheduler,
                                 RedisConnectionOptions options)
    : loop_(loop),
      scheduler_(scheduler),
      options_(std::move(options)),
      backoff_(options_.backoff_initial, options_.backoff_max,
               static_cast<uint64_t>(scheduler.NowNanos()) ^
                   reinterpret_cast<uintptr_t>(this)) {
  connect_timer_ = scheduler_.CreateTimer([this] {
    if (handshake_step_.empty()) {
      Fail(StrCat("connect timed out after ",
                  absl::ToInt64Milliseconds(options_.connect_timeout), " ms"),
           false);
      return;
    }
    Fail(StrCat("no answer to ", handshake_step_, " in ",
                absl::ToInt64Milliseconds(options_.connect_timeout), " ms"),
         false);
  });
  liveness_timer_ = scheduler_.CreateTimer([this] { OnLivenessTimer(); });
  reconnect_timer_ = scheduler_.CreateTimer([this] { Connect(); });
  sweep_timer_ = scheduler_.CreateTimer([this] { SweepTimeouts(); });
}

RedisConnection::~RedisConnection() {
  destroying_ = true;
  DropContext();
}

void RedisConnection::Start() {
  if (started_) return;
  started_ = true;
  Connect();
}

void RedisConnection::Stop() {
  started_ = false;
  reconnect_timer_->Disable();
  connect_timer_->Disable();
  sweep_timer_->Disable();
  liveness_timer_->Disable();
  DropContext();
  SetState(RedisState::kStopped);
}

void RedisConnection::SetSubscription(
    std::string channel,
    absl::AnyInvocable<void(std::string_view)> on_message) {
  channel_ = std::move(channel);
  on_message_ = std::move(on_message);
}

std::string RedisConnection::Describe() const {
  return StrCat("redis ", options_.name, " (", options_.host, ":",
                options_.port, ")");
}

void RedisConnection::SetState(RedisState state) {
  if (state == state_) return;
  state_ = state;
  if (state_listener_) state_listener_(state);
}

void RedisConnection::Connect() {
  if (!started_) return;
  SetState(RedisState::kConnecting);
  redisAsyncContext* c =
      redisAsyncConnect(options_.host.c_str(), options_.port);
  if (c == nullptr) {
    Fail("cannot allocate a connection", false);
    return;
  }
  if (c->err != 0) {
    std::string error = c->errstr;
    redisAsyncFree(c);
    Fail(error, false);
    return;
  }
  if (AttachToLibevent(c, loop_.base()) != REDIS_OK) {
    redisAsyncFree(c);
    Fail("cannot attach the connection to the event loop", false);
    return;
  }
  c->data = this;
  context_.reset(c);
  redisAsyncSetConnectCallback(c, &RedisConnection::OnConnect);
  redisAsyncSetDisconnectCallback(c, &RedisConnection::OnDisconnect);
  handshake_step_ = {};
  connect_timer_->Enable(options_.connect_timeout);
}

void RedisConnection::OnConnect(const redisAsyncContext* c, int status) {
  auto* self = static_cast<RedisConnection*>(c->data);
  if (self == nullptr) return;
  self->connect_timer_->Disable();
  if (status != REDIS_OK) {
    // hiredis frees the context itself right after this callback.
    std::string error = c->errstr;
    self->context_.release()->data = nullptr;
    self->Fail(error, false);
    return;
  }
  self->OnConnected();
}

void RedisConnection::OnConnected() {
  if (options_.password.empty()) {
    OnReady();
    return;
  }
  std::vector<const char*> argv = {"AUTH"};
  std::vector<size_t> lengths = {4};
  if (!options_.username.empty()) {
    argv.push_back(options_.username.data());
    lengths.push_back(options_.username.size());
  }
  argv.push_back(options_.password.data());
  lengths.push_back(options_.password.size());
  // A server that accepts and never answers must not hold us for ever: the
  // handshake has the connect's deadline.
  handshake_step_ = "AUTH";
  connect_timer_->Enable(options_.connect_timeout);
  redisAsyncCommandArgv(context_.get(), &RedisConnection::OnAuthReply, this,
                        static_cast<int>(argv.size()), argv.data(),
                        lengths.data());
}

void RedisConnection::OnAuthReply(redisAsyncContext* c, void* reply,
                                  void* privdata) {
  auto* self = static_cast<RedisConnection*>(privdata);
  if (reply == nullptr || c->data == nullptr || self->destroying_) return;
  const auto* r = static_cast<redisReply*>(reply);
  if (r->type == REDIS_REPLY_ERROR) {
    // The server's text (WRONGPASS ...) never contains the password itself.
    self->Fail(StrCat("AUTH failed: ", std::string_view(r->str, r->len)), true);
    return;
  }
  self->OnReady();
}

void RedisConnection::OnReady() {
  if (!channel_.empty()) {
    Subscribe();
    return;
  }
  connect_timer_->Disable();
  handshake_step_ = {};
  ++connects_;
  backoff_.Reset();
  if (!last_logged_error_.empty()) {
    LogInfo("%s: connected again", Describe());
    last_logged_error_.clear();
  } else {
    LogInfo("%s: connected", Describe());
  }
  last_error_.clear();
  SetState(RedisState::kConnected);
  ScheduleProbe();
}

void RedisConnection::Subscribe() {
  if (state_ != RedisState::kConnected) {
    handshake_step_ = "SUBSCRIBE";
    connect_timer_->Enable(options_.connect_timeout);
  }
  const char* argv[] = {"SUBSCRIBE", channel_.data()};
  const size_t lengths[] = {9, channel_.size()};
  redisAsyncCommandArgv(context_.get(), &RedisConnection::OnSubscribeReply,
                        this, 2, argv, lengths);
}

void RedisConnection::OnSubscribeReply(redisAsyncContext* c, void* reply,
                                       void* privdata) {
  auto* self = static_cast<RedisConnection*>(privdata);
  if (reply == nullptr || c->data == nullptr || self->destroying_) return;
  const auto* r = static_cast<redisReply*>(reply);
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
      r->element[0]->type != REDIS_REPLY_STRING) {
    return;
  }
  const std::string_view kind(r->element[0]->str, r->element[0]->len);
  if (kind == "subscribe" && self->state_ == RedisState::kConnected) {
    // The answer to a liveness probe: alive; the next probe in an interval.
    self->probe_outstanding_ = false;
    self->ScheduleProbe();
    return;
  }
  if (kind == "subscribe") {
    self->connect_timer_->Disable();
    self->handshake_step_ = {};
    ++self->connects_;
    self->backoff_.Reset();
    if (!self->last_logged_error_.empty()) {
      LogInfo("%s: connected again, subscribed to %s", self->Describe(),
              self->channel_);
      self->last_logged_error_.clear();
    } else {
      LogInfo("%s: subscribed to %s", self->Describe(), self->channel_);
    }
    self->last_error_.clear();
    self->SetState(RedisState::kConnected);
    self->ScheduleProbe();
  } else if (kind == "message" && r->element[2]->type == REDIS_REPLY_STRING) {
    self->on_message_(std::string_view(r->element[2]->str, r->element[2]->len));
  }
}

void RedisConnection::OnDisconnect(const redisAsyncContext* c, int status) {
  auto* self = static_cast<RedisConnection*>(c->data);
  if (self == nullptr) return;
  // hiredis frees the context after this callback returns.
  self->context_.release()->data = nullptr;
  self->sent_ns_.clear();
  self->Fail(status == REDIS_OK || c->errstr[0] == '\0'
                 ? std::string("connection closed")
                 : std::string(c->errstr),
             false);
}

void RedisConnection::Fail(std::string error, bool auth_failure) {
  if (state_ == RedisState::kConnected) ++disconnects_;
  last_error_ = std::move(error);
  // One line per outage: the first error is logged, the attempts that follow
  // are visible in the heartbeat (state, last error), not as a log storm.
  if (last_logged_error_.empty() || auth_failure) {
    if (auth_failure) {
      LogError(
          "%s: %s; check REDIS_PASSWORD / REDIS_USERNAME (next try in %d s)",
          Describe(), last_error_,
          absl::ToInt64Seconds(options_.auth_failure_retry));
    } else {
      LogWarning("%s: %s; reconnecting with backoff", Describe(), last_error_);
    }
    last_logged_error_ = last_error_;
  }
  DropContext();
  if (!started_) return;
  SetState(RedisState::kBackoff);
  ScheduleReconnect(
      auth_failure ? std::optional<absl::Duration>(options_.auth_failure_retry)
                   : std::nullopt);
}

void RedisConnection::ScheduleReconnect(std::optional<absl::Duration> delay) {
  reconnect_timer_->Enable(delay.has_value() ? *delay : backoff_.Next());
}

void RedisConnection::DropContext() {
  connect_timer_->Disable();
  sweep_timer_->Disable();
  liveness_timer_->Disable();
  probe_outstanding_ = false;
  sent_ns_.clear();
  if (context_ == nullptr) return;
  redisAsyncContext* c = context_.release();
  c->data = nullptr;
  if ((c->c.flags & REDIS_IN_CALLBACK) != 0) {
    // Never free a context inside its own callback: hiredis would defer it
    // anyway, but we make the deferral explicit and run it from the loop.
    redisAsyncDisconnect(c);
    return;
  }
  // Frees now: every pending command's callback runs with a null reply (an
  // error for its owner, or discarded while destroying).
  redisAsyncFree(c);
}

void RedisConnection::FailLater(ReplyCallback callback, absl::Status status) {
  ++commands_failed_;
  loop_.Post(
      [callback = std::move(callback), status = std::move(status)]() mutable {
        callback(RedisReply(status));
      });
}

void RedisConnection::Send(
    ReplyCallback callback,
    absl::FunctionRef<int(redisAsyncContext*, Pending*)> send) {
  if (!connected()) {
    FailLater(std::move(callback),
              absl::UnavailableError(
                  state_ == RedisState::kConnected
                      ? StrCat(Describe(), " is disconnecting")
                      : StrCat(Describe(), " is ", RedisStateName(state_),
                               last_error_.empty() ? "" : ": ", last_error_)));
    return;
  }
  auto* pending = new Pending{this, std::move(callback)};
  if (send(context_.get(), pending) != REDIS_OK) {
    ReplyCallback cb = std::move(pending->callback);
    delete pending;
    FailLater(std::move(cb),
              absl::UnavailableError(StrCat(Describe(), " is disconnecting")));
    return;
  }
  sent_ns_.push_back(scheduler_.NowNanos());
  if (!sweep_timer_->enabled()) {
    sweep_timer_->Enable(
        std::min(options_.command_timeout / 4, absl::Milliseconds(100)));
  }
}

void RedisConnection::CommandArgv(std::span<const std::string_view> argv,
                                  ReplyCallback callback) {
  constexpr size_t kInline = 8;
  const char* inline_argv[kInline];
  size_t inline_lengths[kInline];
  std::vector<const char*> heap_argv;
  std::vector<size_t> heap_lengths;
  const char** args = inline_argv;
  size_t* lengths = inline_lengths;
  if (argv.size() > kInline) {
    heap_argv.resize(argv.size());
    heap_lengths.resize(argv.size());
    args = heap_argv.data();
    lengths = heap_lengths.data();
  }
  for (size_t i = 0; i < argv.size(); ++i) {
    args[i] = argv[i].data();
    lengths[i] = argv[i].size();
  }
  Send(std::move(callback), [&](redisAsyncContext* c, Pending* pending) {
    return redisAsyncCommandArgv(c, &RedisConnection::OnReply, pending,
                                 static_cast<int>(argv.size()), args, lengths);
  });
}

void RedisConnection::Get(std::string_view key, ReplyCallback callback) {
  // *2 $3 GET $<len> <key>, as the RESP specification writes a command.
  char digits[20];
  char* const end =
      std::to_chars(digits, digits + sizeof(digits), key.size()).ptr;
  get_buffer_.assign("*2\r\n$3\r\nGET\r\n$");
  get_buffer_.append(digits, end);
  get_buffer_.append("\r\n");
  get_buffer_.append(key);
  get_buffer_.append("\r\n");
  Send(std::move(callback), [&](redisAsyncContext* c, Pending* pending) {
    // hiredis copies the bytes into its output buffer before returning.
    return redisAsyncFormattedCommand(c, &RedisConnection::OnReply, pending,
                                      get_buffer_.data(), get_buffer_.size());
  });
}

void RedisConnection::OnReply(redisAsyncContext* c, void* reply,
                              void* privdata) {
  std::unique_ptr<Pending> pending(static_cast<Pending*>(privdata));
  RedisConnection* self = pending->connection;
  if (self->destroying_) return;
  if (reply == nullptr) {
    ++self->commands_failed_;
    const std::string why = c->errstr[0] != '\0' ? std::string(c->errstr)
                            : self->last_error_.empty()
                                ? std::string("connection closed")
                                : self->last_error_;
    pending->callback(RedisReply(
        absl::UnavailableError(StrCat(self->Describe(), ": ", why))));
    return;
  }
  if (!self->sent_ns_.empty()) self->sent_ns_.pop_front();
  pending->callback(RedisReply(static_cast<const redisReply*>(reply)));
}

void RedisConnection::OnLivenessTimer() {
  if (!connected()) return;
  if (!channel_.empty()) {
    if (probe_outstanding_) {
      Fail(StrCat("no answer to a liveness SUBSCRIBE in ",
                  absl::ToInt64Milliseconds(options_.command_timeout),
                  " ms (a half-open connection?)"),
           false);
      return;
    }
    probe_outstanding_ = true;
    Subscribe();
    liveness_timer_->Enable(options_.command_timeout);
    return;
  }
  // A command connection: the sweep fails a PING, like any command, that
  // gets no answer within command_timeout.
  if (sent_ns_.empty()) {
    Send([](const RedisReply&) {},
         [](redisAsyncContext* c, Pending* pending) {
           return redisAsyncCommand(c, &RedisConnection::OnReply, pending,
                                    "PING");
         });
  }
  ScheduleProbe();
}

void RedisConnection::ScheduleProbe() {
  if (options_.ping_interval > absl::ZeroDuration()) {
    liveness_timer_->Enable(options_.ping_interval);
  }
}

void RedisConnection::SweepTimeouts() {
  if (sent_ns_.empty() || context_ == nullptr) return;
  const int64_t age_ns = scheduler_.NowNanos() - sent_ns_.front();
  if (age_ns >= absl::ToInt64Nanoseconds(options_.command_timeout)) {
    Fail(StrCat("no reply in ",
                absl::ToInt64Milliseconds(options_.command_timeout), " ms"),
         false);
    return;
  }
  sweep_timer_->Enable(
      std::min(options_.command_timeout / 4, absl::Milliseconds(100)));
}

}  // namespace dbcache::redis
