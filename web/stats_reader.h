#ifndef DBCACHE_WEB_STATS_READER_H_
#define DBCACHE_WEB_STATS_READER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/redis/sync_client.h"
#include "nlohmann/json.hpp"
#include "web/redis_pool.h"
#include "web/snapshot_cache.h"

namespace dbcache::web {

// What the daemon last wrote about itself and its run, read in one round trip,
// with the response bodies of the read-only API rendered once per fetch so
// that serving a request costs a copy, not a JSON dump.
struct LiveSnapshot {
  // <prefix>stats: an object, or null when absent or not a JSON object.
  nlohmann::json stats;
  // Non-empty when <prefix>stats exists but is not a JSON object.
  std::string stats_problem;
  // <prefix>daemon, the heartbeat: an object, or null when absent (the key
  // expires a few seconds after the daemon's last beat: absent means offline).
  nlohmann::json daemon;
  // <prefix>log, newest first; entries that are not JSON objects are skipped.
  nlohmann::json log = nlohmann::json::array();

  std::string stats_body;    // GET /api/stats: the stats, or {"state":"none"}.
  std::string log_body;      // GET /api/log: {"entries":[...]}.
  std::string status_body;   // GET /api/status: everything the page polls for.
  std::string metrics_body;  // GET /metrics, with the reader up.

  bool daemon_online() const { return daemon.is_object(); }
};

// A list the page reads whole (<prefix>runs, <prefix>sweeps), newest first as
// stored, and its rendered GET body, {"<name>":[...]}.
struct ListSnapshot {
  nlohmann::json items = nlohmann::json::array();
  std::string body;
};

// <prefix>compares, newest first: the records whole (each with its two runs'
// series, for GET /api/compares/<id>), and the GET /api/compares body, which
// leaves the series out.
struct ComparesSnapshot {
  nlohmann::json compares = nlohmann::json::array();
  std::string body;  // {"compares":[...]}
  // The record whose compare_id is `id`, or null.
  const nlohmann::json* Find(std::string_view id) const;
};

// Builds a LiveSnapshot from the raw values of the three keys (nullopt: key
// absent). Pure, for tests.
LiveSnapshot MakeLiveSnapshot(const std::optional<std::string>& stats,
                              const std::optional<std::string>& daemon,
                              const std::vector<std::string>& log);
// Entries that are not JSON objects are skipped.
ListSnapshot MakeListSnapshot(std::string_view name,
                              const std::vector<std::string>& items);
ComparesSnapshot MakeComparesSnapshot(const std::vector<std::string>& compares);

// Reads the daemon's stats, heartbeat, query log, run history, compares and
// dbcachectl's sweeps from the
// Redis reader endpoint (the replica, as the original demo did), through a
// connection pool, and shares each result between threads for `max_age` (see
// SnapshotCache). Thread-safe.
//
//   StatsReader reader({.reader = endpoint, .prefix = "dbcache:"});
//   auto live = reader.Live();
//   if (!live->ok()) return Answer(503, live->status().message());
//   return Answer(200, (*live)->stats_body);
class StatsReader {
 public:
  // Entries read from the lists; the daemon keeps at most this many.
  static constexpr int kLogEntries = 25;
  static constexpr int kRunEntries = 100;
  static constexpr int kCompareEntries = 20;
  static constexpr int kSweepEntries = 20;

  struct Options {
    redis::SyncEndpoint reader;
    std::string prefix;
    absl::Duration max_age = absl::Milliseconds(50);
  };

  explicit StatsReader(Options options);

  std::shared_ptr<const absl::StatusOr<LiveSnapshot>> Live() {
    return live_.Get();
  }
  std::shared_ptr<const absl::StatusOr<ListSnapshot>> Runs() {
    return runs_.Get();
  }
  std::shared_ptr<const absl::StatusOr<ListSnapshot>> Sweeps() {
    return sweeps_.Get();
  }
  std::shared_ptr<const absl::StatusOr<ComparesSnapshot>> Compares() {
    return compares_.Get();
  }

  const redis::SyncEndpoint& endpoint() const { return pool_.endpoint(); }

 private:
  absl::StatusOr<LiveSnapshot> FetchLive();
  // LRANGE 0 count-1 of <prefix><name>, as a ListSnapshot named `name`.
  absl::StatusOr<ListSnapshot> FetchListSnapshot(std::string_view name,
                                                 int count);
  absl::StatusOr<ComparesSnapshot> FetchCompares();
  // LRANGE 0 count-1 of <prefix><suffix>.
  absl::StatusOr<std::vector<std::string>> FetchList(std::string_view suffix,
                                                     int count);

  const std::string prefix_;
  RedisPool pool_;
  SnapshotCache<LiveSnapshot> live_;
  SnapshotCache<ListSnapshot> runs_;
  SnapshotCache<ListSnapshot> sweeps_;
  SnapshotCache<ComparesSnapshot> compares_;
};

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_STATS_READER_H_
