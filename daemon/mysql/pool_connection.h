#ifndef DBCACHE_DAEMON_MYSQL_POOL_CONNECTION_H_
#define DBCACHE_DAEMON_MYSQL_POOL_CONNECTION_H_

#include <cstdint>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "daemon/mysql/mysql_executor.h"

namespace dbcache::mysql {

// `connect_ns`: how long this statement waited for its connection to
// (re)connect first; 0 when the connection was already up.
using ConnectionCallback = absl::AnyInvocable<void(
    const absl::Status& status, const QueryResult* result, int64_t connect_ns)>;

// One connection as the pool sees it: AsyncConnection on the loop, a scripted
// fake in the pool's unit tests. One statement at a time; the callback runs
// from the loop, never inside Query().
//
//   if (!connection.busy()) connection.Query("SELECT 1", callback);
class PoolConnection {
 public:
  virtual ~PoolConnection() = default;
  // Requires !busy(). Connects first when not connected.
  virtual void Query(std::string_view sql, ConnectionCallback callback) = 0;
  virtual bool busy() const = 0;
  virtual bool connected() const = 0;
  // Successful connects so far (1 for a connection that never dropped).
  virtual uint64_t connects() const = 0;
  // When its last statement ended (monotonic ns), or it connected; the pool
  // probes a connection idle long enough that the server may have closed it.
  virtual int64_t idle_since_ns() const = 0;
};

}  // namespace dbcache::mysql

#endif  // DBCACHE_DAEMON_MYSQL_POOL_CONNECTION_H_
