#ifndef DBCACHE_DAEMON_MYSQL_POOL_H_
#define DBCACHE_DAEMON_MYSQL_POOL_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "daemon/loop/scheduler.h"
#include "daemon/mysql/mysql_executor.h"
#include "daemon/mysql/pool_connection.h"

namespace dbcache::mysql {

// A small pool of connections on the loop. Its size follows the run's
// concurrency (SetTargetSize), capped by --mysql_pool_max; connections are
// opened on demand, reused across runs, and reopened by the connection itself
// when lost.
//
// Statements beyond the pool's size wait in strict FIFO order: a connection
// that frees up is kept for the oldest waiting statement, which it starts on
// the next pass of the loop (not inside the finished statement's callback), so
// a statement issued from that callback queues behind it. No statement waits
// while a connection is idle. Each callback gets the statement's timing: its
// wait in the queue, any reconnect, and its own execution, apart.
//
//   Pool pool(scheduler, [&] { return std::make_unique<AsyncConnection>(...);
//   },
//             /*max_size=*/16);
//   pool.SetTargetSize(8);
//   pool.Execute(sql, [](const absl::Status& s, const QueryResult* r,
//                        const QueryTiming& t) { ... });
class Pool : public MysqlExecutor {
 public:
  using ConnectionFactory =
      absl::AnyInvocable<std::unique_ptr<PoolConnection>()>;

  Pool(loop::Scheduler& scheduler, ConnectionFactory factory, int max_size);

  void Execute(std::string_view sql, QueryCallback callback) override;
  // Connections beyond `size` are closed when idle; at most max_size.
  void SetTargetSize(int size);
  // Opens up to `count` connections (at most the target size), and probes
  // (SELECT 1) those of them idle for idle_probe_after or longer, and calls
  // `done` from the loop once each has answered or failed, so that a run's
  // first queries measure the query, not the TCP and login handshake nor a
  // connection the server closed in between.
  void Warm(int count, absl::AnyInvocable<void()> done);
  void SetIdleProbeAfter(absl::Duration idle) { idle_probe_after_ = idle; }

  int size() const { return static_cast<int>(connections_.size()); }
  int max_size() const { return max_size_; }
  int busy() const;
  // Connections neither running a statement nor kept for a waiting one.
  int idle() const;
  size_t queued() const { return queue_.size(); }
  uint64_t connects() const;

 private:
  struct Entry {
    std::unique_ptr<PoolConnection> connection;
    // Freed, and kept for the head of the queue until the hand-off runs.
    bool reserved = false;
  };
  struct Queued {
    std::string sql;
    QueryCallback callback;
    int64_t enqueued_ns = 0;
  };

  void Dispatch(Entry& entry, std::string_view sql, QueryCallback callback,
                int64_t enqueued_ns);
  void OnDone(PoolConnection* connection);
  // Starts queued statements on every connection free for them.
  void HandOff();
  Entry* FindEntry(const PoolConnection* connection);
  Entry* FindIdle();
  void RunWarmDone();

  loop::Scheduler& scheduler_;
  ConnectionFactory factory_;
  const int max_size_;
  int target_size_ = 1;
  std::vector<Entry> connections_;
  std::deque<Queued> queue_;
  std::unique_ptr<loop::Timer> hand_off_timer_;
  // Warm() calls that had nothing to open, answered on the next loop pass.
  std::vector<absl::AnyInvocable<void()>> warm_done_;
  std::unique_ptr<loop::Timer> warm_timer_;
  uint64_t retired_connects_ = 0;
  absl::Duration idle_probe_after_ = absl::Seconds(30);
};

}  // namespace dbcache::mysql

#endif  // DBCACHE_DAEMON_MYSQL_POOL_H_
