#ifndef DBCACHE_TESTS_UNIT_FAKES_FAKE_POOL_CONNECTION_H_
#define DBCACHE_TESTS_UNIT_FAKES_FAKE_POOL_CONNECTION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "daemon/mysql/pool_connection.h"

namespace dbcache::testing {

// A scripted connection for the pool's tests: Query() holds the statement
// until the test answers it; every statement it was given is logged, in
// order, with the connection's number, in a log the test shares between
// connections.
//
//   std::vector<std::string> log;
//   FakePoolConnection c(1, &log);
//   c.Query("SELECT 1", callback);  // log: "1:SELECT 1"
//   c.Answer();                      // callback(OK, nullptr, 0)
class FakePoolConnection : public mysql::PoolConnection {
 public:
  FakePoolConnection(int number, std::vector<std::string>* log)
      : number_(number), log_(log) {}

  void Query(std::string_view sql,
             mysql::ConnectionCallback callback) override {
    sql_ = std::string(sql);
    callback_ = std::move(callback);
    log_->push_back(std::to_string(number_) + ":" + sql_);
  }
  bool busy() const override { return callback_ != nullptr; }
  bool connected() const override { return connected_; }
  uint64_t connects() const override { return connects_; }
  int64_t idle_since_ns() const override { return idle_since_ns_; }
  void set_idle_since_ns(int64_t ns) { idle_since_ns_ = ns; }

  const std::string& sql() const { return sql_; }
  // Ends the statement in flight, as if it had first (re)connected for
  // `connect_ns` when that is not 0.
  void Answer(absl::Status status = absl::OkStatus(), int64_t connect_ns = 0) {
    mysql::ConnectionCallback callback = std::move(callback_);
    callback_ = nullptr;
    if (connect_ns > 0 || !connected_) {
      connected_ = status.ok();
      if (status.ok()) ++connects_;
    }
    callback(status, nullptr, connect_ns);
  }

 private:
  const int number_;
  std::vector<std::string>* log_;
  std::string sql_;
  mysql::ConnectionCallback callback_;
  bool connected_ = false;
  uint64_t connects_ = 0;
  int64_t idle_since_ns_ = 0;
};

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_UNIT_FAKES_FAKE_POOL_CONNECTION_H_
