#include "daemon/run/workload.h"

#include <charconv>

#include "daemon/cache/digest.h"

namespace dbcache::run {

Workload::Workload(std::string_view sql_template, std::string_view database,
                   std::string_view prefix, int64_t keys, uint64_t seed,
                   const KeyDistribution& distribution)
    : database_(database), prefix_(prefix), sampler_(distribution, keys, seed) {
  const size_t at = sql_template.find("{}");
  if (at == std::string_view::npos) {
    head_ = std::string(sql_template);
  } else {
    head_ = std::string(sql_template.substr(0, at));
    tail_ = std::string(sql_template.substr(at + 2));
  }
}

void Workload::Render(int64_t n, std::string* sql, std::string* key) const {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), n);
  sql->assign(head_);
  sql->append(digits, end);
  sql->append(tail_);
  key->clear();
  cache::AppendCacheKey(key, prefix_, database_, *sql);
}

}  // namespace dbcache::run
