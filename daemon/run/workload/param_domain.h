#ifndef DBCACHE_DAEMON_RUN_WORKLOAD_PARAM_DOMAIN_H_
#define DBCACHE_DAEMON_RUN_WORKLOAD_PARAM_DOMAIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace dbcache::run {

// The values one parameter takes, in rank order (rank 1 is the one a skewed
// distribution asks for most): an integer range, or the values a sample query
// read from a column. Values go into SQL as literals, so a sample value is
// accepted only if it is an integer or printable ASCII without a quote or a
// backslash, and is then quoted; nothing from the database is trusted to be
// harmless text.
//
//   ParamDomain ids = ParamDomain::Range(1, 75);
//   absl::StatusOr<ParamDomain> categories =
//       ParamDomain::FromSample({"Books", "Toys", std::nullopt, "Books"});
//   categories->AppendLiteral(1, &sql);  // 'Books' (sorted, deduplicated)
class ParamDomain {
 public:
  static ParamDomain Range(int64_t lo, int64_t hi);
  // NULLs are dropped and duplicates removed; the rest sorted, numerically
  // when every value is an integer, so that ranks do not depend on the order
  // the server sent them in. Fails on a value that is not safe as a literal,
  // and when nothing is left.
  static absl::StatusOr<ParamDomain> FromSample(
      std::vector<std::optional<std::string>> values);

  int64_t size() const { return size_; }
  // Keeps the first n values (the run's keys=).
  void Truncate(int64_t n);
  // Appends the value of `rank` (1..size()) as an SQL literal.
  void AppendLiteral(int64_t rank, std::string* sql) const;

 private:
  int64_t lo_ = 1;
  int64_t size_ = 0;
  std::vector<std::string> literals_;  // a sample's, ready to append
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_WORKLOAD_PARAM_DOMAIN_H_
