#include "daemon/run/freshness/version_ledger.h"

#include <algorithm>

#include "daemon/common/str_cat.h"

namespace dbcache::run {

void VersionLedger::Clear() {
  keys_.clear();
  commit_of_.clear();
  in_flight_.clear();
}

void VersionLedger::Started(std::span<const std::string> keys,
                            uint64_t version) {
  in_flight_.insert(version);
  for (const std::string& key : keys) ++keys_[key].in_flight;
}

void VersionLedger::Committed(std::span<const std::string> keys,
                              uint64_t version, int64_t commit_ns) {
  if (in_flight_.erase(version) == 0) return;  // Never started.
  commit_of_[version] = commit_ns;
  for (const std::string& key : keys) {
    History& history = keys_[key];
    --history.in_flight;
    // Answers arrive in time order: appending keeps the times sorted.
    history.commits.push_back(commit_ns);
  }
}

void VersionLedger::Failed(std::span<const std::string> keys,
                           uint64_t version) {
  if (in_flight_.erase(version) == 0) return;
  for (const std::string& key : keys) --keys_[key].in_flight;
}

int64_t VersionLedger::AsOf(std::span<const uint64_t> versions) const {
  int64_t as_of = kBeforeAny;
  for (uint64_t v : versions) {
    if (in_flight_.contains(v)) return kNewest;
    if (auto it = commit_of_.find(v); it != commit_of_.end()) {
      as_of = std::max(as_of, it->second);
    }
  }
  return as_of;
}

std::optional<int64_t> VersionLedger::StaleFor(std::string_view key,
                                               int64_t as_of,
                                               int64_t read_start_ns) const {
  auto it = keys_.find(AsAbsl(key));
  if (it == keys_.end() || as_of == kNewest) return std::nullopt;
  const std::vector<int64_t>& commits = it->second.commits;
  // The first commit after the rows' own.
  auto next = std::upper_bound(commits.begin(), commits.end(), as_of);
  if (next == commits.end() || *next > read_start_ns) return std::nullopt;
  return read_start_ns - *next;
}

bool VersionLedger::Explains(std::string_view key, int64_t as_of) const {
  auto it = keys_.find(AsAbsl(key));
  if (it == keys_.end()) return false;
  const History& history = it->second;
  return history.in_flight > 0 ||
         (!history.commits.empty() && history.commits.back() > as_of);
}

bool VersionLedger::Tracks(std::string_view key) const {
  return keys_.contains(AsAbsl(key));
}

}  // namespace dbcache::run
