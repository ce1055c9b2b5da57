#ifndef DBCACHE_DAEMON_CACHE_RESULT_SET_H_
#define DBCACHE_DAEMON_CACHE_RESULT_SET_H_

#include <optional>
#include <string>
#include <vector>

namespace dbcache::cache {

// A full SQL result set, materialized: column names plus every row. A cell
// holds the text MySQL returned for it, byte for byte; std::nullopt is SQL
// NULL, which is not the same as an empty string. Every row has exactly
// columns.size() cells.
//
//   ResultSet rs;
//   rs.columns = {"customer_id", "review_id"};
//   rs.rows.push_back({"42", std::nullopt});
//   std::string bytes = EncodeResultSet(rs);  // see codec.h
struct ResultSet {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;

  bool operator==(const ResultSet& other) const = default;
};

}  // namespace dbcache::cache

#endif  // DBCACHE_DAEMON_CACHE_RESULT_SET_H_
