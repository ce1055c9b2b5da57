#ifndef DBCACHE_DAEMON_RUN_FRESHNESS_ROW_VERSIONS_H_
#define DBCACHE_DAEMON_RUN_FRESHNESS_ROW_VERSIONS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "daemon/cache/result_set.h"

namespace dbcache::run {

// The column a read selects so that its rows say which writes they hold
// (workload_spec.h's {version}); an aggregate selects MAX(version) AS version.
inline constexpr std::string_view kVersionColumn = "version";

struct RowVersions {
  uint64_t oldest = 0;
  uint64_t newest = 0;

  bool operator==(const RowVersions& other) const = default;
};

// The range of the version column over the rows; nullopt when there is no
// such column or no row with an integer in it.
//
//   std::optional<RowVersions> v = RowVersionsOf(*DecodeResultSet(entry));
std::optional<RowVersions> RowVersionsOf(const cache::ResultSet& rows);

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_FRESHNESS_ROW_VERSIONS_H_
