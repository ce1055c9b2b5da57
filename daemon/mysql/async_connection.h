#ifndef DBCACHE_DAEMON_MYSQL_ASYNC_CONNECTION_H_
#define DBCACHE_DAEMON_MYSQL_ASYNC_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "daemon/loop/event_loop.h"
#include "daemon/loop/fd_watch.h"
#include "daemon/loop/scheduler.h"
#include "daemon/mysql/mysql_executor.h"
#include "daemon/mysql/mysql_handle.h"
#include "daemon/mysql/pool_connection.h"
#include "daemon/mysql/tls_mode.h"

namespace dbcache::mysql {

struct MysqlOptions {
  std::string host;
  int port = 3306;
  std::string user;
  std::string password;
  std::string database;
  absl::Duration connect_timeout = absl::Seconds(2);
  absl::Duration query_timeout = absl::Seconds(10);
  TlsOptions tls;
};

// One MariaDB connection driven by the loop through Connector/C's non-blocking
// API (mysql_real_connect_start / mysql_real_query_start /
// mysql_store_result_start and their _cont calls), its socket watched by an
// FdWatch and MYSQL_WAIT_TIMEOUT honoured. It connects on first use and again
// after the connection is lost. One query at a time; a query that outlives
// query_timeout fails with DEADLINE_EXCEEDED and the connection is closed (the
// server may still be running it).
//
// The time a query spent connecting first is reported to its callback apart
// from the statement's own.
//
// A server closes idle connections (wait_timeout, 8 hours by default and
// often less on RDS) and a failover drops them all: a read (a statement that
// starts with SELECT) that finds its reused connection gone before any result
// ("server has gone away", "lost connection") is sent once more on a fresh
// connection, and its callback sees a reconnect, not an error. Anything else
// is never sent twice: a write might have run.
//
//   AsyncConnection conn(loop, scheduler, options);
//   conn.Query("SELECT 1", [](const absl::Status& s, const QueryResult* r,
//                             int64_t connect_ns) { ... });
class AsyncConnection : public PoolConnection {
 public:
  AsyncConnection(loop::EventLoop& loop, loop::Scheduler& scheduler,
                  const MysqlOptions& options);
  ~AsyncConnection() override;
  AsyncConnection(const AsyncConnection&) = delete;
  AsyncConnection& operator=(const AsyncConnection&) = delete;

  // Requires !busy().
  void Query(std::string_view sql, ConnectionCallback callback) override;
  bool busy() const override { return callback_ != nullptr; }
  bool connected() const override { return connected_; }
  uint64_t connects() const override { return connects_; }
  int64_t idle_since_ns() const override { return idle_since_ns_; }
  // Reads sent again on a fresh connection after the server had closed this
  // one.
  uint64_t retries() const { return retries_; }

 private:
  enum class Step { kIdle, kConnect, kQuery, kStore };

  void StartConnect();
  void StartQuery();
  void StartStore();
  // Continues whichever step is in progress after the socket is ready.
  void OnIo(short what);
  void OnStepStatus(int wait_status);
  void OnConnectDone(MYSQL* ret);
  void OnQueryDone(int error);
  void OnStoreDone(MYSQL_RES* result);
  void OnTimeout();
  void Fail(absl::Status status);
  void Succeed(ResultHandle result);
  void Deliver(absl::Status status, ResultHandle result);
  void Close();
  absl::Status ErrorStatus(std::string_view what) const;

  loop::EventLoop& loop_;
  loop::Scheduler& scheduler_;
  const MysqlOptions& options_;
  loop::FdWatch watch_;
  std::unique_ptr<loop::Timer> query_timer_;
  MysqlHandle mysql_;
  Step step_ = Step::kIdle;
  bool connected_ = false;
  bool in_query_call_ = false;
  std::string sql_;
  ConnectionCallback callback_;
  uint64_t connects_ = 0;
  // When the current query's connect began, and how long it took (0: none).
  int64_t connect_start_ns_ = 0;
  int64_t connect_ns_ = 0;
  uint64_t affected_rows_ = 0;  // of the last statement without a result set
  bool retried_ = false;        // the current statement was sent again
  uint64_t retries_ = 0;
  int64_t idle_since_ns_ = 0;
};

}  // namespace dbcache::mysql

#endif  // DBCACHE_DAEMON_MYSQL_ASYNC_CONNECTION_H_
