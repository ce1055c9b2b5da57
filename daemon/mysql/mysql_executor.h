#ifndef DBCACHE_DAEMON_MYSQL_MYSQL_EXECUTOR_H_
#define DBCACHE_DAEMON_MYSQL_MYSQL_EXECUTOR_H_

#include <cstdint>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "daemon/cache/codec.h"

namespace dbcache::mysql {

// A result set as a query's callback sees it: valid only during the callback,
// and encoded straight into the cache codec without building rows in between.
class QueryResult {
 public:
  virtual ~QueryResult() = default;
  virtual uint64_t row_count() const = 0;
  virtual uint32_t column_count() const = 0;
  virtual void EncodeTo(cache::ResultSetWriter& writer) const = 0;
  // False for a statement that returns no rows at all (an UPDATE), which
  // then says how many rows it changed.
  virtual bool has_result_set() const { return true; }
  virtual uint64_t affected_rows() const { return 0; }
};

// Where a statement's time went, so that each part is measured apart: waiting
// for a connection says the pool is too small, connecting says the server or
// network dropped one, and only exec_ns is the statement itself.
struct QueryTiming {
  int64_t wait_ns = 0;     // queued for a free connection
  int64_t connect_ns = 0;  // (re)connecting first; 0 when already connected
  bool connected = false;  // whether it (re)connected first
  int64_t exec_ns = 0;     // sending, running and reading the statement
};

// `result` is non-null exactly when `status` is OK.
using QueryCallback = absl::AnyInvocable<void(const absl::Status& status,
                                              const QueryResult* result,
                                              const QueryTiming& timing)>;

// What the run engine needs from MySQL: run a statement, later get its result.
// The pool implements it on MariaDB's non-blocking API; unit tests use a
// scripted fake. The callback always runs from the loop, never inside
// Execute().
//
//   executor.Execute("SELECT 1", [](const absl::Status& s, const QueryResult*
//   r,
//                                   const QueryTiming& t) {
//     if (s.ok()) r->EncodeTo(writer);
//   });
class MysqlExecutor {
 public:
  virtual ~MysqlExecutor() = default;
  virtual void Execute(std::string_view sql, QueryCallback callback) = 0;
};

}  // namespace dbcache::mysql

#endif  // DBCACHE_DAEMON_MYSQL_MYSQL_EXECUTOR_H_
