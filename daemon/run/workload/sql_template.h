#ifndef DBCACHE_DAEMON_RUN_WORKLOAD_SQL_TEMPLATE_H_
#define DBCACHE_DAEMON_RUN_WORKLOAD_SQL_TEMPLATE_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace dbcache::run {

// A statement's SQL cut at its placeholders, so that rendering is appends
// only: literals[0] slot[0] literals[1] ... slot[n-1] literals[n].
//
//   absl::StatusOr<SqlTemplate> t = ParseSqlTemplate(
//       "SELECT * FROM reviews WHERE customer_id = {customer}", {"customer"});
//   // t->literals = {"SELECT ... = ", ""}, t->slots = {0}
struct SqlTemplate {
  std::vector<std::string> literals;  // slots.size() + 1 of them
  std::vector<size_t> slots;          // the parameter (index) of each gap

  bool operator==(const SqlTemplate& other) const = default;
};

// Placeholders are {name}, name one of `params`; every declared parameter must
// appear at least once. A brace that does not open a placeholder is an error:
// SQL itself has no use for braces, and a typo should not reach MySQL.
// Errors are InvalidArgument and name the placeholder or parameter.
absl::StatusOr<SqlTemplate> ParseSqlTemplate(
    std::string_view sql, std::span<const std::string> params);

// The demo's configured template: its one "{}" is the one parameter, and any
// other text is literal.
SqlTemplate DemoSqlTemplate(std::string_view sql_template);

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_WORKLOAD_SQL_TEMPLATE_H_
