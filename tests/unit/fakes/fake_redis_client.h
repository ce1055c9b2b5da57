#ifndef DBCACHE_TESTS_UNIT_FAKES_FAKE_REDIS_CLIENT_H_
#define DBCACHE_TESTS_UNIT_FAKES_FAKE_REDIS_CLIENT_H_

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "daemon/redis/redis_client.h"

namespace dbcache::testing {

// A scripted Redis: commands queue up until the test answers them, in order, as
// a real connection would. Answer() serves GET/PSETEX/SET from an in-memory
// map; Fail() answers with a transport error; Reply*() answer with a given
// reply.
//
//   FakeRedisClient redis;
//   engine.Start(...);               // queues GETs
//   redis.AnswerAll();               // map-backed answers, which may queue
//   more
class FakeRedisClient : public redis::RedisClient {
 public:
  struct Call {
    std::vector<std::string> argv;
    redis::ReplyCallback callback;
  };

  void CommandArgv(std::span<const std::string_view> argv,
                   redis::ReplyCallback callback) override {
    Call call;
    for (std::string_view a : argv) call.argv.emplace_back(a);
    call.callback = std::move(callback);
    history_.push_back(call.argv);
    pending_.push_back(std::move(call));
  }
  bool connected() const override { return connected_; }

  size_t pending() const { return pending_.size(); }
  const Call& front() const { return pending_.front(); }
  const std::vector<std::vector<std::string>>& history() const {
    return history_;
  }
  std::map<std::string, std::string>& data() { return data_; }
  void set_connected(bool connected) { connected_ = connected; }
  // GETs that AnswerOne() answered from the map, and those it found nothing
  // for: what the engine's hit and miss counts must agree with, counted here
  // and not by the engine.
  int gets_found() const { return gets_found_; }
  int gets_missed() const { return gets_missed_; }
  // Commands named `name` sent so far.
  int Sent(std::string_view name) const {
    int n = 0;
    for (const auto& argv : history_) n += argv[0] == name;
    return n;
  }

  // Answers the oldest command from the map. Returns false if none is pending.
  bool AnswerOne() {
    if (pending_.empty()) return false;
    Call call = TakeFront();
    const std::string& cmd = call.argv[0];
    if (cmd == "GET") {
      auto it = data_.find(call.argv[1]);
      if (it == data_.end()) {
        ++gets_missed_;
        Nil(call);
      } else {
        ++gets_found_;
        String(call, it->second);
      }
    } else if (cmd == "PSETEX") {
      data_[call.argv[1]] = call.argv[3];
      Status(call, "OK");
    } else if (cmd == "SET") {
      // SET key value [NX] [PX ms]: NX answers nil when the key exists.
      const bool nx = std::find(call.argv.begin(), call.argv.end(), "NX") !=
                      call.argv.end();
      if (nx && data_.contains(call.argv[1])) {
        Nil(call);
      } else {
        data_[call.argv[1]] = call.argv[2];
        Status(call, "OK");
      }
    } else if (cmd == "EVAL") {
      // The one script dbcached sends: delete KEYS[1] if it holds ARGV[1].
      auto it = data_.find(call.argv[3]);
      const bool owned = it != data_.end() && it->second == call.argv[4];
      if (owned) data_.erase(it);
      Integer(call, owned ? 1 : 0);
    } else if (cmd == "DEL") {
      long long removed = 0;
      for (size_t i = 1; i < call.argv.size(); ++i) {
        removed += static_cast<long long>(data_.erase(call.argv[i]));
      }
      Integer(call, removed);
    } else {
      Status(call, "OK");
    }
    return true;
  }
  void AnswerAll() {
    while (AnswerOne()) {
    }
  }
  void FailOne(absl::Status status) {
    Call call = TakeFront();
    call.callback(redis::RedisReply(std::move(status)));
  }
  void ErrorOne(const std::string& message) {
    Call call = TakeFront();
    redisReply r{};
    r.type = REDIS_REPLY_ERROR;
    r.str = const_cast<char*>(message.data());
    r.len = message.size();
    call.callback(redis::RedisReply(&r));
  }
  void StringOne(const std::string& value) {
    Call call = TakeFront();
    String(call, value);
  }

 private:
  Call TakeFront() {
    Call call = std::move(pending_.front());
    pending_.pop_front();
    return call;
  }
  static void Nil(Call& call) {
    redisReply r{};
    r.type = REDIS_REPLY_NIL;
    call.callback(redis::RedisReply(&r));
  }
  static void String(Call& call, const std::string& value) {
    redisReply r{};
    r.type = REDIS_REPLY_STRING;
    r.str = const_cast<char*>(value.data());
    r.len = value.size();
    call.callback(redis::RedisReply(&r));
  }
  static void Integer(Call& call, long long value) {
    redisReply r{};
    r.type = REDIS_REPLY_INTEGER;
    r.integer = value;
    call.callback(redis::RedisReply(&r));
  }
  static void Status(Call& call, const std::string& value) {
    redisReply r{};
    r.type = REDIS_REPLY_STATUS;
    r.str = const_cast<char*>(value.data());
    r.len = value.size();
    call.callback(redis::RedisReply(&r));
  }

  bool connected_ = true;
  int gets_found_ = 0;
  int gets_missed_ = 0;
  std::deque<Call> pending_;
  std::vector<std::vector<std::string>> history_;
  std::map<std::string, std::string> data_;
};

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_UNIT_FAKES_FAKE_REDIS_CLIENT_H_
