#ifndef DBCACHE_DAEMON_MYSQL_MYSQL_HANDLE_H_
#define DBCACHE_DAEMON_MYSQL_MYSQL_HANDLE_H_

#include <mysql.h>

#include <memory>

namespace dbcache::mysql {

// Owning handles for MariaDB Connector/C objects.
//
//   MysqlHandle conn(mysql_init(nullptr));
//   ResultHandle result(mysql_store_result(conn.get()));
struct MysqlCloser {
  void operator()(MYSQL* mysql) const { mysql_close(mysql); }
};
struct ResultFreer {
  void operator()(MYSQL_RES* result) const { mysql_free_result(result); }
};
using MysqlHandle = std::unique_ptr<MYSQL, MysqlCloser>;
using ResultHandle = std::unique_ptr<MYSQL_RES, ResultFreer>;

}  // namespace dbcache::mysql

#endif  // DBCACHE_DAEMON_MYSQL_MYSQL_HANDLE_H_
