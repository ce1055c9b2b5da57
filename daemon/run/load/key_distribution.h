#ifndef DBCACHE_DAEMON_RUN_LOAD_KEY_DISTRIBUTION_H_
#define DBCACHE_DAEMON_RUN_LOAD_KEY_DISTRIBUTION_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace dbcache::run {

// How a run picks among its `keys` distinct parameter values (`dist=` of a
// run message). Rank 1 is the most requested value under zipf and the first
// of the hot set under hotspot.
//
//   absl::StatusOr<KeyDistribution> d = ParseKeyDistribution("zipf:0.99");
//   KeyDistributionName(*d);  // "zipf:0.99"
struct KeyDistribution {
  enum class Kind { kUniform, kZipf, kHotspot, kSequential };
  Kind kind = Kind::kUniform;
  // zipf: the exponent S, in (0, 5].
  double exponent = 0;
  // hotspot: `hot_requests_pct` % of requests go to `hot_keys_pct` % of keys.
  double hot_requests_pct = 0;
  double hot_keys_pct = 0;

  bool operator==(const KeyDistribution& other) const = default;
};

// Accepts "uniform", "sequential", "zipf:S" (0 < S <= 5) and "hotspot:P:Q"
// (0 < P, Q <= 100), numbers with at most 3 digits after the point. Errors
// are InvalidArgument, say why and what the accepted forms are, and do not
// repeat the text (which may be long or not UTF-8): the caller shows it.
//
//   ParseKeyDistribution("zipf").status().message()
//   // "takes one exponent: zipf:S (forms: uniform|zipf:S|...)"
absl::StatusOr<KeyDistribution> ParseKeyDistribution(std::string_view text);

// The canonical text, which ParseKeyDistribution accepts back as an equal
// value ("zipf:1.1", "hotspot:90:10").
std::string KeyDistributionName(const KeyDistribution& distribution);

// The forms, as help and errors show them.
inline constexpr std::string_view kKeyDistributionForms =
    "uniform|zipf:S|hotspot:P:Q|sequential";

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_LOAD_KEY_DISTRIBUTION_H_
