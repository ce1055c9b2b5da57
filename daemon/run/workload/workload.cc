#include "daemon/run/workload/workload.h"

#include <algorithm>
#include <limits>

#include "daemon/cache/digest.h"
#include "daemon/run/workload/workload_catalog.h"

namespace dbcache::run {
namespace {

// SplitMix64's finaliser: independent streams for (seed, statement, param).
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

int64_t SaturatingMul(int64_t a, int64_t b) {
  if (a != 0 && b > std::numeric_limits<int64_t>::max() / a) {
    return std::numeric_limits<int64_t>::max();
  }
  return a * b;
}

}  // namespace

Workload::Workload(std::string_view sql_template, std::string_view database,
                   std::string_view prefix, int64_t keys, uint64_t seed,
                   const KeyDistribution& distribution)
    : database_(database), prefix_(prefix) {
  std::vector<std::vector<ParamDomain>> domains(1);
  domains[0].push_back(ParamDomain::Range(1, keys));
  Init(DemoWorkload(sql_template), std::move(domains), distribution, seed);
}

Workload::Workload(const WorkloadSpec& spec,
                   std::vector<std::vector<ParamDomain>> domains,
                   const std::optional<KeyDistribution>& dist,
                   std::string_view database, std::string_view prefix,
                   uint64_t seed)
    : database_(database), prefix_(prefix) {
  Init(spec, std::move(domains), dist, seed);
}

void Workload::Init(const WorkloadSpec& spec,
                    std::vector<std::vector<ParamDomain>> domains,
                    const std::optional<KeyDistribution>& dist, uint64_t seed) {
  pick_rng_.seed(Mix(seed ^ 0x5851f42d4c957f2dull));
  int64_t total_weight = 0;
  bool first = true;
  for (size_t s = 0; s < spec.statements.size(); ++s) {
    const StatementSpec& statement = spec.statements[s];
    Statement out{
        statement.sql_template, {}, statement.write, statement.affected};
    has_writes_ = has_writes_ || statement.write;
    int64_t product = 1;
    for (size_t p = 0; p < statement.params.size(); ++p) {
      const ParamSpec& param = statement.params[p];
      const KeyDistribution d =
          dist.value_or(param.dist.value_or(KeyDistribution()));
      const std::string name = KeyDistributionName(d);
      if (first) {
        dist_text_ = name;
        first = false;
      } else if (dist_text_ != name) {
        dist_text_ = "per parameter";
      }
      ParamDomain domain = std::move(domains[s][p]);
      // The demo's first parameter keeps the seed itself (see the header).
      const uint64_t param_seed =
          s == 0 && p == 0 ? seed : Mix(seed ^ Mix((s << 16) | p));
      const int64_t size = domain.size();
      product = SaturatingMul(product, size);
      // A sample's values are moved, not copied: there may be a million.
      out.params.push_back(
          Param{std::move(domain), KeySampler(d, size, param_seed)});
    }
    if (statement.write) product = 0;  // Not a cache key.
    key_count_ =
        std::min(std::numeric_limits<int64_t>::max() - product, key_count_) +
        product;
    total_weight += statement.weight;
    cumulative_weights_.push_back(total_weight);
    statements_.push_back(std::move(out));
  }
  if (first) dist_text_ = "none";
}

size_t Workload::Next(std::string* sql, std::string* key, uint64_t version) {
  size_t s = 0;
  if (statements_.size() > 1) {
    std::uniform_int_distribution<int64_t> pick(1, cumulative_weights_.back());
    const int64_t ticket = pick(pick_rng_);
    s = static_cast<size_t>(std::lower_bound(cumulative_weights_.begin(),
                                             cumulative_weights_.end(),
                                             ticket) -
                            cumulative_weights_.begin());
  }
  last_ = s;
  Statement& statement = statements_[s];
  const SqlTemplate& t = statement.sql;
  sql->assign(t.literals[0]);
  key->clear();
  if (statement.params.size() == 1 && t.slots.size() == 1) {
    // The common shape (the demo's): no ranks to keep.
    Param& p = statement.params[0];
    p.domain.AppendLiteral(p.sampler.Next(), sql);
    sql->append(t.literals[1]);
    cache::AppendCacheKey(key, prefix_, database_, *sql);
    return s;
  }
  ranks_.clear();
  for (Param& p : statement.params) ranks_.push_back(p.sampler.Next());
  for (size_t i = 0; i < t.slots.size(); ++i) {
    const size_t p = t.slots[i];
    if (p < statement.params.size()) {
      statement.params[p].domain.AppendLiteral(ranks_[p], sql);
    } else {
      sql->append(std::to_string(version));  // A write's {version}.
    }
    sql->append(t.literals[i + 1]);
  }
  if (!statement.write) cache::AppendCacheKey(key, prefix_, database_, *sql);
  return s;
}

void Workload::AppendAffected(std::vector<std::string>* sqls,
                              std::vector<std::string>* keys) const {
  const Statement& write = statements_[last_];
  for (const AffectedRead& affected : write.affected) {
    const SqlTemplate& t = statements_[affected.read].sql;
    std::string& sql = sqls->emplace_back(t.literals[0]);
    for (size_t i = 0; i < t.slots.size(); ++i) {
      // The read's parameter takes the write's value of the same name,
      // rendered as the write renders it.
      const size_t w = affected.write_params[t.slots[i]];
      write.params[w].domain.AppendLiteral(ranks_[w], &sql);
      sql.append(t.literals[i + 1]);
    }
    cache::AppendCacheKey(&keys->emplace_back(), prefix_, database_, sql);
  }
}

}  // namespace dbcache::run
