#include "daemon/run/workload/sql_template.h"

#include <algorithm>

#include "daemon/common/str_cat.h"

namespace dbcache::run {

absl::StatusOr<SqlTemplate> ParseSqlTemplate(
    std::string_view sql, std::span<const std::string> params) {
  SqlTemplate out;
  std::vector<bool> used(params.size(), false);
  std::string literal;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '}') {
      return absl::InvalidArgumentError(
          StrCat("sql has a '}' at byte ", i, " that closes no placeholder"));
    }
    if (c != '{') {
      literal.push_back(c);
      ++i;
      continue;
    }
    const size_t close = sql.find_first_of("{}", i + 1);
    if (close == std::string_view::npos || sql[close] == '{') {
      return absl::InvalidArgumentError(
          StrCat("sql has a '{' at byte ", i, " with no '}' after it"));
    }
    const std::string_view name = sql.substr(i + 1, close - i - 1);
    const auto found = std::find(params.begin(), params.end(), name);
    if (found == params.end()) {
      return absl::InvalidArgumentError(
          name.empty()
              ? std::string("sql has a {} placeholder: name the parameter, "
                            "as in {customer}")
              : StrCat("sql uses {", name.substr(0, 64),
                       "}, which is not a declared parameter"));
    }
    const auto index = static_cast<size_t>(found - params.begin());
    used[index] = true;
    out.literals.push_back(std::move(literal));
    literal.clear();
    out.slots.push_back(index);
    i = close + 1;
  }
  out.literals.push_back(std::move(literal));
  for (size_t p = 0; p < params.size(); ++p) {
    if (!used[p]) {
      return absl::InvalidArgumentError(
          StrCat("parameter '", params[p], "' is declared but the sql has no {",
                 params[p], "}"));
    }
  }
  return out;
}

SqlTemplate DemoSqlTemplate(std::string_view sql_template) {
  SqlTemplate out;
  const size_t at = sql_template.find("{}");
  if (at == std::string_view::npos) {
    out.literals.emplace_back(sql_template);
    return out;
  }
  out.literals.emplace_back(sql_template.substr(0, at));
  out.literals.emplace_back(sql_template.substr(at + 2));
  out.slots.push_back(0);
  return out;
}

}  // namespace dbcache::run
