#include "daemon/run/freshness/row_versions.h"

#include <algorithm>

#include "absl/strings/numbers.h"

namespace dbcache::run {

std::optional<RowVersions> RowVersionsOf(const cache::ResultSet& rows) {
  const auto column =
      std::find(rows.columns.begin(), rows.columns.end(), kVersionColumn);
  if (column == rows.columns.end()) return std::nullopt;
  const size_t c = static_cast<size_t>(column - rows.columns.begin());
  std::optional<RowVersions> range;
  for (const auto& row : rows.rows) {
    uint64_t v = 0;
    if (!row[c].has_value() || !absl::SimpleAtoi(*row[c], &v)) continue;
    if (!range.has_value()) {
      range = RowVersions{v, v};
    } else {
      range->oldest = std::min(range->oldest, v);
      range->newest = std::max(range->newest, v);
    }
  }
  return range;
}

}  // namespace dbcache::run
