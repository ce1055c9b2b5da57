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

// The answer of a statement without a result set (UPDATE, INSERT, ...).
class NoResultSet : public QueryResult {
 public:
  explicit NoResultSet(uint64_t affected_rows)
      : affected_rows_(affected_rows) {}
  uint64_t row_count() const override { return 0; }
  uint32_t column_count() const override { return 0; }
  void EncodeTo(cache::ResultSetWriter& writer) const override {
    writer.Begin(0);
    writer.BeginRows(0);
    writer.Finish();
  }
  bool has_result_set() const override { return false; }
  uint64_t affected_rows() const override { return affected_rows_; }

 private:
  uint64_t affected_rows_;
};

}  // namespace dbcache::mysql

#endif  // DBCACHE_DAEMON_MYSQL_MYSQL_RESULT_H_
