#include "daemon/run/control/suggest.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "daemon/run/control/utf8.h"

namespace dbcache::run::control {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string_view> Suggest(
    std::string_view typed, std::span<const std::string_view> candidates) {
  if (typed.empty() || typed.size() > kMaxQuotedSize) return std::nullopt;
  std::string lower(typed);
  absl::AsciiStrToLower(&lower);
  std::optional<std::string_view> best;
  size_t best_distance = 3;
  for (std::string_view candidate : candidates) {
    const size_t distance = EditDistance(lower, candidate);
    if (distance < best_distance && distance < typed.size()) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (best.has_value()) return best;
  if (lower.size() < 3) return std::nullopt;
  // Of several keys it begins, the shortest ("ttl": ttl_ms before
  // ttl_jitter_pct), as the least the user left out; a tie suggests nothing.
  std::optional<std::string_view> prefix_of;
  bool tie = false;
  for (std::string_view candidate : candidates) {
    if (candidate.substr(0, lower.size()) != lower) continue;
    if (!prefix_of.has_value() || candidate.size() < prefix_of->size()) {
      prefix_of = candidate;
      tie = false;
    } else if (candidate.size() == prefix_of->size()) {
      tie = true;
    }
  }
  if (tie) return std::nullopt;
  return prefix_of;
}

}  // namespace dbcache::run::control
