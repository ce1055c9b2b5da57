#ifndef DBCACHE_DAEMON_RUN_FRESHNESS_VERSION_LEDGER_H_
#define DBCACHE_DAEMON_RUN_FRESHNESS_VERSION_LEDGER_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace dbcache::run {

// The ground truth of staleness. During a run dbcached is the only writer, and
// each of its writes sets the rows it changes to a version of its own. The
// ledger keeps when each write committed (MySQL answered it) and, per cache
// key a write affects, the order in which they committed. The versions a
// cached result's rows hold say which writes it saw: it is as of the latest
// commit among them. A read of it that began after a later commit to its key
// was stale, since that commit.
//
// Commit order, not version order: two writes of one row may commit in
// either order whatever their versions, and the row then holds the version of
// the one that committed last.
//
//   ledger.Started(keys, 1001);
//   ledger.Committed(keys, 1001, now);  // or Failed(keys, 1001)
//   const int64_t as_of = ledger.AsOf(row_versions);
//   if (auto age = ledger.StaleFor(key, as_of, read_start)) ...
class VersionLedger {
 public:
  // AsOf of rows that hold none of this run's committed writes.
  static constexpr int64_t kBeforeAny = std::numeric_limits<int64_t>::min();
  // AsOf of rows holding a write whose answer has not arrived yet: they are
  // at least that new, and no commit dbcached knows of is newer.
  static constexpr int64_t kNewest = std::numeric_limits<int64_t>::max();

  void Clear();
  bool empty() const { return keys_.empty(); }

  // A write of `version` to the reads under `keys` was sent.
  void Started(std::span<const std::string> keys, uint64_t version);
  // It committed at `commit_ns`.
  void Committed(std::span<const std::string> keys, uint64_t version,
                 int64_t commit_ns);
  // It failed: it changed nothing.
  void Failed(std::span<const std::string> keys, uint64_t version);

  // When the latest of the writes `versions` hold committed (kBeforeAny,
  // kNewest: above).
  int64_t AsOf(std::span<const uint64_t> versions) const;
  // A read of `key` that began at `read_start_ns` was served rows as of
  // `as_of`: how long it had been stale then, or nullopt if no write to the
  // key committed between the two.
  std::optional<int64_t> StaleFor(std::string_view key, int64_t as_of,
                                  int64_t read_start_ns) const;
  // Whether a write explains served rows (as of `as_of`) that differ from
  // MySQL's: one to `key` still in flight, or committed after `as_of`.
  bool Explains(std::string_view key, int64_t as_of) const;
  // Whether any write of this run affects `key`.
  bool Tracks(std::string_view key) const;

 private:
  struct History {
    std::vector<int64_t> commits;  // commit times, in commit order
    int in_flight = 0;
  };

  absl::flat_hash_map<std::string, History> keys_;
  absl::flat_hash_map<uint64_t, int64_t> commit_of_;  // version -> commit time
  absl::flat_hash_set<uint64_t> in_flight_;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_FRESHNESS_VERSION_LEDGER_H_
