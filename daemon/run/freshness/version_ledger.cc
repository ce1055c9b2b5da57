#include "daemon/run/freshness/version_ledger.h"

#include <algorithm>

#include "daemon/common/str_cat.h"

namespace dbcache::run {
namespace {

template <typename History>
auto FirstAbove(History& history, uint64_t version) {
  return std::upper_bound(
      history.begin(), history.end(), version,
      [](uint64_t v, const auto& write) { return v < write.version; });
}

}  // namespace

void VersionLedger::Started(std::span<const std::string> keys, uint64_t version,
                            int64_t issue_ns) {
  for (const std::string& key : keys) {
    History& history = keys_[key];
    // Issued in version order: nearly always the end.
    history.insert(FirstAbove(history, version),
                   Write{version, issue_ns, kInFlight});
  }
}

VersionLedger::Write* VersionLedger::Find(std::string_view key,
                                          uint64_t version) {
  auto it = keys_.find(AsAbsl(key));
  if (it == keys_.end()) return nullptr;
  History& history = it->second;
  auto at = FirstAbove(history, version);
  if (at == history.begin() || std::prev(at)->version != version) {
    return nullptr;
  }
  return &*std::prev(at);
}

void VersionLedger::Committed(std::span<const std::string> keys,
                              uint64_t version, int64_t commit_ns) {
  for (const std::string& key : keys) {
    if (Write* write = Find(key, version)) write->commit_ns = commit_ns;
  }
}

void VersionLedger::Failed(std::span<const std::string> keys,
                           uint64_t version) {
  for (const std::string& key : keys) {
    auto it = keys_.find(AsAbsl(key));
    if (it == keys_.end()) continue;
    History& history = it->second;
    history.erase(std::remove_if(history.begin(), history.end(),
                                 [version](const Write& w) {
                                   return w.version == version;
                                 }),
                  history.end());
  }
}

std::optional<int64_t> VersionLedger::StaleFor(std::string_view key,
                                               uint64_t newest,
                                               int64_t read_start_ns) const {
  auto it = keys_.find(AsAbsl(key));
  if (it == keys_.end()) return std::nullopt;
  const History& history = it->second;
  std::optional<int64_t> first_commit;
  for (auto w = FirstAbove(history, newest); w != history.end(); ++w) {
    // A write issued after the read began, or after the earliest commit found
    // so far, committed later than either: none further on can count.
    const int64_t bound = first_commit.value_or(read_start_ns);
    if (w->issue_ns > bound) break;
    if (w->commit_ns <= read_start_ns &&
        (!first_commit.has_value() || w->commit_ns < *first_commit)) {
      first_commit = w->commit_ns;
    }
  }
  if (!first_commit.has_value()) return std::nullopt;
  return read_start_ns - *first_commit;
}

bool VersionLedger::Tracks(std::string_view key) const {
  return keys_.contains(AsAbsl(key));
}

bool VersionLedger::Explains(std::string_view key, uint64_t oldest) const {
  auto it = keys_.find(AsAbsl(key));
  if (it == keys_.end()) return false;
  return FirstAbove(it->second, oldest) != it->second.end();
}

}  // namespace dbcache::run
