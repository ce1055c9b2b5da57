#ifndef DBCACHE_DAEMON_REDIS_REDIS_CONNECTION_H_
#define DBCACHE_DAEMON_REDIS_REDIS_CONNECTION_H_

#include <hiredis/async.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "daemon/loop/backoff.h"
#include "daemon/loop/event_loop.h"
#include "daemon/loop/scheduler.h"
#include "daemon/redis/redis_client.h"

namespace dbcache::redis {

struct RedisConnectionOptions {
  std::string name;  // "primary", "reader", "subscriber": for logs and status.
  std::string host;
  int port = 6379;
  std::string username;  // ACL user, or empty.
  std::string password;  // Empty: no AUTH.
  absl::Duration connect_timeout = absl::Seconds(2);
  absl::Duration command_timeout = absl::Seconds(2);
  // How often a connected connection proves it is alive: a PING when no
  // command is in flight, or, for the subscriber, SUBSCRIBE again (a
  // subscribed connection answers little else in RESP2). An answer must come
  // within command_timeout, or the connection is dropped and reopened: a
  // half-open one (the peer gone, no RST) looks connected for ever otherwise.
  // Zero: never.
  absl::Duration ping_interval = absl::Seconds(5);
  absl::Duration backoff_initial = absl::Milliseconds(100);
  absl::Duration backoff_max = absl::Seconds(5);
  // After the server refuses our credentials, retrying fast only floods its
  // log.
  absl::Duration auth_failure_retry = absl::Seconds(30);
};

enum class RedisState { kStopped, kConnecting, kConnected, kBackoff };
std::string_view RedisStateName(RedisState state);

// One hiredis async connection on the loop that keeps itself up: connect and
// command timeouts, AUTH, and on loss a single log line and a reconnect with
// jittered, capped exponential backoff. Commands issued while it is down fail
// at once (from the loop) with UNAVAILABLE and the last error. In subscriber
// mode it (re)subscribes to its channel on every connect.
//
//   RedisConnection primary(loop, scheduler, options);
//   primary.Start();
//   primary.Command({"SET", "k", "v"}, [](const RedisReply& r) { ... });
class RedisConnection : public RedisClient {
 public:
  RedisConnection(loop::EventLoop& loop, loop::Scheduler& scheduler,
                  RedisConnectionOptions options);
  ~RedisConnection() override;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  void Start();
  // Disconnects and stays down; pending callbacks get CANCELLED.
  void Stop();

  void CommandArgv(std::span<const std::string_view> argv,
                   ReplyCallback callback) override;
  // Writes the RESP form of GET itself into a reused buffer: hiredis's argv
  // path formats every argument with sdscatfmt and allocates, which was 7% of
  // an all-hit run's instructions.
  void Get(std::string_view key, ReplyCallback callback) override;
  // False from the moment the context starts failing: hiredis runs the pending
  // callbacks of a lost connection before it reports the loss, and a command
  // such a callback sends on (a query's next GET) must see this one as down,
  // so that a FallbackClient sends it to the primary.
  bool connected() const override {
    return state_ == RedisState::kConnected && context_ != nullptr &&
           (context_->c.flags & (REDIS_DISCONNECTING | REDIS_FREEING)) == 0;
  }

  // Subscriber mode: must be set before Start(). `on_message` gets each
  // payload.
  void SetSubscription(std::string channel,
                       absl::AnyInvocable<void(std::string_view)> on_message);
  // Called on every state change (for the heartbeat and sd_notify STATUS).
  void SetStateListener(absl::AnyInvocable<void(RedisState)> listener) {
    state_listener_ = std::move(listener);
  }

  RedisState state() const { return state_; }
  const std::string& last_error() const { return last_error_; }
  const RedisConnectionOptions& options() const { return options_; }
  uint64_t connects() const { return connects_; }
  uint64_t disconnects() const { return disconnects_; }
  uint64_t commands_failed() const { return commands_failed_; }
  size_t pending() const { return sent_ns_.size(); }

 private:
  struct Pending;
  struct ContextFree {
    void operator()(redisAsyncContext* c) const { redisAsyncFree(c); }
  };
  using ContextPtr = std::unique_ptr<redisAsyncContext, ContextFree>;

  void Connect();
  void OnConnected();
  void OnReady();
  void Subscribe();
  void Fail(std::string error, bool auth_failure);
  void DropContext();
  void ScheduleReconnect(std::optional<absl::Duration> delay);
  void SetState(RedisState state);
  void SweepTimeouts();
  // The liveness timer: probe, or give up on a probe not answered.
  void OnLivenessTimer();
  // Arms the next probe, one ping_interval away (none when it is zero).
  void ScheduleProbe();
  void FailLater(ReplyCallback callback, absl::Status status);
  // What every command does around hiredis's own call: fail at once while
  // down, then hand `send` the Pending that OnReply frees, and time the reply.
  // `send` returns hiredis's status.
  void Send(ReplyCallback callback,
            absl::FunctionRef<int(redisAsyncContext*, Pending*)> send);
  std::string Describe() const;

  static void OnConnect(const redisAsyncContext* c, int status);
  static void OnDisconnect(const redisAsyncContext* c, int status);
  static void OnReply(redisAsyncContext* c, void* reply, void* privdata);
  static void OnAuthReply(redisAsyncContext* c, void* reply, void* privdata);
  static void OnSubscribeReply(redisAsyncContext* c, void* reply,
                               void* privdata);

  loop::EventLoop& loop_;
  loop::Scheduler& scheduler_;
  const RedisConnectionOptions options_;
  loop::Backoff backoff_;
  ContextPtr context_;
  std::unique_ptr<loop::Timer> connect_timer_;
  std::unique_ptr<loop::Timer> reconnect_timer_;
  std::unique_ptr<loop::Timer> sweep_timer_;
  std::unique_ptr<loop::Timer> liveness_timer_;
  // The subscriber's liveness SUBSCRIBE is out and not answered yet.
  bool probe_outstanding_ = false;
  // What the connection is waiting for between the TCP connect and ready
  // ("AUTH", "SUBSCRIBE"): named when its deadline passes.
  std::string_view handshake_step_;
  RedisState state_ = RedisState::kStopped;
  bool started_ = false;
  // Set by the destructor: pending callbacks are discarded, not called, because
  // their owners may already be gone.
  bool destroying_ = false;
  std::string last_error_;
  std::string last_logged_error_;
  std::deque<int64_t>
      sent_ns_;  // Send times of replies still due, oldest first.
  std::string channel_;
  std::string get_buffer_;  // Get's RESP, kept for its capacity.
  absl::AnyInvocable<void(std::string_view)> on_message_;
  absl::AnyInvocable<void(RedisState)> state_listener_;
  uint64_t connects_ = 0;
  uint64_t disconnects_ = 0;
  uint64_t commands_failed_ = 0;
};

}  // namespace dbcache::redis

#endif  // DBCACHE_DAEMON_REDIS_REDIS_CONNECTION_H_
