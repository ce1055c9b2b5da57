#ifndef DBCACHE_DAEMON_RUN_FRESHNESS_ROW_VERSIONS_H_
#define DBCACHE_DAEMON_RUN_FRESHNESS_ROW_VERSIONS_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "daemon/cache/result_set.h"

namespace dbcache::run {

// The column a read selects so that its rows say which writes they hold
// (workload_spec.h's {version}); an aggregate selects MAX(version) AS version.
inline constexpr std::string_view kVersionColumn = "version";

// The version column's integers, row by row; nullopt when there is no such
// column.
//
//   std::optional<std::vector<uint64_t>> v = RowVersionsOf(rows);
std::optional<std::vector<uint64_t>> RowVersionsOf(
    const cache::ResultSet& rows);

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_FRESHNESS_ROW_VERSIONS_H_
