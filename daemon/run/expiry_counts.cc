#include "daemon/run/expiry_counts.h"

#include <algorithm>
#include <cmath>

#include "daemon/common/str_cat.h"

namespace dbcache::run {

void ExpiryCounts::Reset() {
  open_.clear();
  bins_.fill(0);
  expiries_ = statements_ = 0;
  max_ = 0;
}

void ExpiryCounts::OnMiss(std::string_view key) {
  open_.try_emplace(AsAbsl(key));  // Joins the open expiry if there is one.
}

void ExpiryCounts::OnLoadStart(std::string_view key) {
  auto it = open_.find(AsAbsl(key));
  if (it == open_.end()) return;
  ++it->second.loads_running;
  ++it->second.statements;
}

void ExpiryCounts::OnLoadEnd(std::string_view key) {
  auto it = open_.find(AsAbsl(key));
  if (it == open_.end() || it->second.loads_running == 0) return;
  if (--it->second.loads_running > 0) return;
  const uint32_t statements = it->second.statements;
  open_.erase(it);
  Close(statements);
}

void ExpiryCounts::CloseIfIdle(std::string_view key) {
  auto it = open_.find(AsAbsl(key));
  if (it == open_.end() || it->second.loads_running > 0) return;
  const uint32_t statements = it->second.statements;
  open_.erase(it);
  Close(statements);
}

void ExpiryCounts::Close(uint32_t statements) {
  ++expiries_;
  statements_ += statements;
  max_ = std::max(max_, statements);
  ++bins_[std::min(statements, kMaxCounted)];
}

uint32_t ExpiryCounts::Percentile(double q) const {
  if (expiries_ == 0) return 0;
  const double clamped = std::clamp(q, 0.0, 100.0);
  const uint64_t rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(
             std::ceil(clamped / 100.0 * static_cast<double>(expiries_))));
  uint64_t seen = 0;
  for (uint32_t n = 0; n <= kMaxCounted; ++n) {
    seen += bins_[n];
    if (seen >= rank) return n == kMaxCounted ? max_ : n;
  }
  return max_;
}

double ExpiryCounts::Mean() const {
  return expiries_ == 0 ? 0.0
                        : static_cast<double>(statements_) /
                              static_cast<double>(expiries_);
}

}  // namespace dbcache::run
