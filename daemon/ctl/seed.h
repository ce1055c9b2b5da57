#ifndef DBCACHE_DAEMON_CTL_SEED_H_
#define DBCACHE_DAEMON_CTL_SEED_H_

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/config/settings.h"
#include "daemon/ctl/mysql_session.h"

namespace dbcache::ctl {

inline constexpr int64_t kMinSeedRows = 1;
inline constexpr int64_t kMaxSeedRows = 100000000;

// How rows travel to the server. kAuto uses LOAD DATA LOCAL INFILE (fastest)
// and falls back to multi-row INSERTs where the server or its operator disabled
// local_infile.
enum class LoadMethod { kAuto, kInfile, kInsert };

absl::StatusOr<LoadMethod> ParseLoadMethod(std::string_view text);
std::string_view LoadMethodName(LoadMethod method);

struct SeedOptions {
  int64_t rows = 100000;
  uint64_t seed = 1;
  LoadMethod method = LoadMethod::kAuto;
  // Where progress goes (a bar on a terminal, periodic lines otherwise); null:
  // none.
  std::FILE* progress = stderr;
};

struct SeedResult {
  // The table already held exactly these rows: nothing was changed.
  bool unchanged = false;
  // The rows were already there, but the table lacked this many of the
  // columns and indexes the named workloads need, now added.
  int schema_additions = 0;
  int64_t rows = 0;
  uint64_t seed = 0;
  // XXH64 of the generated rows in LOAD DATA text form, 16 hex digits.
  std::string data_checksum;
  LoadMethod method =
      LoadMethod::kAuto;  // What loaded them (not kAuto if loaded).
  absl::Duration elapsed;
};

// What `dbcachectl verify` reports about a seeded database.
struct TableReport {
  int64_t count = 0;  // COUNT(*) of the reviews table.
  // From reviews_meta; nullopt when the table was not (completely) seeded by
  // us.
  std::optional<int64_t> rows;
  std::optional<uint64_t> seed;
  std::optional<int> generator_version;
  std::string data_checksum;
  std::string table_checksum;  // CHECKSUM TABLE: equal content, equal value.
};

// Connection options for seeding: the settings' endpoint, credentials and
// connect timeout. The read timeout is the query timeout or, if longer, an
// allowance that grows with `rows`: the end of a bulk load and its index build
// are single statements whose server-side work grows with the table.
MysqlOptions SeedConnectionOptions(const config::Settings& settings,
                                   int64_t rows);

// Makes `database`.reviews hold exactly `options.rows` synthetic reviews
// generated from `options.seed` (see ReviewGenerator), with indexes on
// review_id (unique), customer_id, product_id, (product_id, review_date) and
// product_category, a `version` column (1 for every row; the named workloads'
// writes count up), and records what it loaded in `database`.reviews_meta.
//
// Loads into a fresh table and swaps it in with one RENAME TABLE, so readers
// see the old rows or the new ones, never a mix or a partial load; an
// interrupted load leaves the old table in place. When reviews_meta says the
// table already holds these rows (same count, seed and generator version) and
// COUNT(*) agrees, keeps the rows and only adds the version column and indexes
// if an older dbcachectl's table lacks them (schema_additions), returning
// unchanged = true when there was nothing to add. Two seeds of one database
// at once: the second fails.
//
//   absl::StatusOr<MysqlSession> session =
//       MysqlSession::Connect(SeedConnectionOptions(settings, 100000));
//   absl::StatusOr<SeedResult> result =
//       Seed(*session, settings.mysql_database, {.rows = 100000, .seed = 1});
absl::StatusOr<SeedResult> Seed(MysqlSession& session,
                                std::string_view database,
                                const SeedOptions& options);

// Reads back what Seed left: row count, metadata and a content checksum.
absl::StatusOr<TableReport> Inspect(MysqlSession& session,
                                    std::string_view database);

}  // namespace dbcache::ctl

#endif  // DBCACHE_DAEMON_CTL_SEED_H_
