#ifndef DBCACHE_DAEMON_MYSQL_POOL_H_
#define DBCACHE_DAEMON_MYSQL_POOL_H_

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "daemon/loop/event_loop.h"
#include "daemon/loop/scheduler.h"
#include "daemon/mysql/async_connection.h"
#include "daemon/mysql/mysql_executor.h"

namespace dbcache::mysql {

// A small pool of AsyncConnections on the loop. Its size follows the run's
// concurrency (SetTargetSize), capped by --mysql_pool_max; connections are
// opened on demand, reused across runs, and reopened by the connection itself
// when lost. Statements beyond the pool's size wait in FIFO order.
//
//   Pool pool(loop, scheduler, options, /*max_size=*/16);
//   pool.SetTargetSize(8);
//   pool.Execute(sql, callback);
class Pool : public MysqlExecutor {
 public:
  Pool(loop::EventLoop& loop, loop::Scheduler& scheduler, MysqlOptions options,
       int max_size);

  void Execute(std::string_view sql, QueryCallback callback) override;
  // Connections beyond `size` are closed when idle; at most max_size.
  void SetTargetSize(int size);
  // Opens up to `count` connections (at most the target size) and calls `done`
  // from the loop once each has answered or failed, so that a run's first
  // queries measure the query, not the TCP and login handshake.
  void Warm(int count, absl::AnyInvocable<void()> done);

  int size() const { return static_cast<int>(connections_.size()); }
  int max_size() const { return max_size_; }
  int busy() const;
  size_t queued() const { return queue_.size(); }
  uint64_t connects() const;

 private:
  struct Queued {
    std::string sql;
    QueryCallback callback;
  };

  void Dispatch(AsyncConnection& connection, std::string_view sql,
                QueryCallback callback);
  void OnConnectionFree(AsyncConnection& connection);

  loop::EventLoop& loop_;
  loop::Scheduler& scheduler_;
  const MysqlOptions options_;
  const int max_size_;
  int target_size_ = 1;
  std::vector<std::unique_ptr<AsyncConnection>> connections_;
  std::deque<Queued> queue_;
  uint64_t retired_connects_ = 0;
};

}  // namespace dbcache::mysql

#endif  // DBCACHE_DAEMON_MYSQL_POOL_H_
