#ifndef DBCACHE_DAEMON_MYSQL_MYSQL_RESULT_H_
#define DBCACHE_DAEMON_MYSQL_MYSQL_RESULT_H_

#include <mysql.h>

#include "daemon/mysql/mysql_executor.h"

namespace dbcache::mysql {

// A stored (fully buffered) MYSQL_RES seen as a QueryResult. Borrowed: the
// owner frees the result after the callback.
//
//   MysqlResult view(result.get());
//   view.EncodeTo(writer);
class MysqlResult : public QueryResult {
 public:
  explicit MysqlResult(MYSQL_RES* result) : result_(result) {}
  uint64_t row_count() const override { return mysql_num_rows(result_); }
  uint32_t column_count() const override { return mysql_num_fields(result_); }
  void EncodeTo(cache::ResultSetWriter& writer) const override;

 private:
  MYSQL_RES* result_;
};

}  // namespace dbcache::mysql

#endif  // DBCACHE_DAEMON_MYSQL_MYSQL_RESULT_H_
