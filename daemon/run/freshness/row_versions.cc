#include "daemon/run/freshness/row_versions.h"

#include <algorithm>

#include "absl/strings/numbers.h"

namespace dbcache::run {

std::optional<std::vector<uint64_t>> RowVersionsOf(
    const cache::ResultSet& rows) {
  const auto column =
      std::find(rows.columns.begin(), rows.columns.end(), kVersionColumn);
  if (column == rows.columns.end()) return std::nullopt;
  const size_t c = static_cast<size_t>(column - rows.columns.begin());
  std::vector<uint64_t> versions;
  versions.reserve(rows.rows.size());
  for (const auto& row : rows.rows) {
    uint64_t v = 0;
    if (row[c].has_value() && absl::SimpleAtoi(*row[c], &v)) {
      versions.push_back(v);
    }
  }
  return versions;
}

}  // namespace dbcache::run
