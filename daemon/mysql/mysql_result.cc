#include "daemon/mysql/mysql_result.h"

namespace dbcache::mysql {

void MysqlResult::EncodeTo(cache::ResultSetWriter& writer) const {
  const unsigned int columns = mysql_num_fields(result_);
  const MYSQL_FIELD* fields = mysql_fetch_fields(result_);
  writer.Begin(columns);
  for (unsigned int i = 0; i < columns; ++i) {
    writer.AddColumnName(
        std::string_view(fields[i].name, fields[i].name_length));
  }
  // The result is stored: fetching rows walks memory and never touches the
  // network.
  mysql_data_seek(result_, 0);
  writer.BeginRows(mysql_num_rows(result_));
  while (MYSQL_ROW row = mysql_fetch_row(result_)) {
    const unsigned long* lengths = mysql_fetch_lengths(result_);
    for (unsigned int i = 0; i < columns; ++i) {
      if (row[i] == nullptr) {
        writer.AddNull();
      } else {
        writer.AddCell(row[i], lengths[i]);
      }
    }
  }
  writer.Finish();
}

}  // namespace dbcache::mysql
