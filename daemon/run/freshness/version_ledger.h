#ifndef DBCACHE_DAEMON_RUN_FRESHNESS_VERSION_LEDGER_H_
#define DBCACHE_DAEMON_RUN_FRESHNESS_VERSION_LEDGER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace dbcache::run {

// The ground truth of staleness. During a run dbcached is the only writer, and
// each of its writes sets the rows it changes to a version larger than any
// before it (issued in increasing order). The ledger keeps, per cache key a
// write affects, every write's version, when it was issued and when it
// committed. A cached read whose rows' newest version is v was stale if a
// write of a version above v committed before the read began; it had been
// stale since the first such commit.
//
//   ledger.Started(keys, 1001, now);
//   ledger.Committed(keys, 1001, now);  // or Failed(keys, 1001)
//   if (auto age = ledger.StaleFor(key, newest_version, read_start)) ...
class VersionLedger {
 public:
  void Clear() { keys_.clear(); }
  bool empty() const { return keys_.empty(); }

  // A write of `version` to the reads under `keys` was sent at `issue_ns`;
  // versions come in increasing order.
  void Started(std::span<const std::string> keys, uint64_t version,
               int64_t issue_ns);
  // It committed (MySQL answered) at `commit_ns`.
  void Committed(std::span<const std::string> keys, uint64_t version,
                 int64_t commit_ns);
  // It failed: it changed nothing.
  void Failed(std::span<const std::string> keys, uint64_t version);

  // A read of `key` that began at `read_start_ns` was served rows whose
  // newest version is `newest`: how long it had been stale then, or nullopt
  // when no newer write had committed.
  std::optional<int64_t> StaleFor(std::string_view key, uint64_t newest,
                                  int64_t read_start_ns) const;
  // Whether a write explains served rows that differ from MySQL's: one to
  // `key`, committed or still in flight, of a version above `oldest` (the
  // oldest version among the rows).
  bool Explains(std::string_view key, uint64_t oldest) const;
  // Whether any write of this run affects `key`.
  bool Tracks(std::string_view key) const;

 private:
  static constexpr int64_t kInFlight = INT64_MAX;
  struct Write {
    uint64_t version;
    int64_t issue_ns;
    int64_t commit_ns;  // kInFlight until it commits
  };
  // In version order, which is issue order.
  using History = std::vector<Write>;

  Write* Find(std::string_view key, uint64_t version);

  absl::flat_hash_map<std::string, History> keys_;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_FRESHNESS_VERSION_LEDGER_H_
