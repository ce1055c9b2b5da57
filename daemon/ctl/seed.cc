#include "daemon/ctl/seed.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "daemon/common/str_cat.h"
#include "daemon/ctl/progress.h"
#include "daemon/ctl/review_generator.h"

namespace dbcache::ctl {
namespace {

#define DBCACHE_RETURN_IF_ERROR(expr)                                 \
  do {                                                                \
    if (absl::Status dbcache_status = (expr); !dbcache_status.ok()) { \
      return dbcache_status;                                          \
    }                                                                 \
  } while (0)

constexpr std::string_view kTable = "reviews";
constexpr std::string_view kStaging = "reviews_new";
constexpr std::string_view kRetired = "reviews_old";
// Rows per INSERT statement and per refill of LOAD DATA's buffer, by size:
// large enough to amortize round trips, far below max_allowed_packet's 16 MB
// default.
constexpr size_t kChunkBytes = size_t{1} << 20;

// The Amazon customer-reviews columns, plus `id`, the row number, as the
// clustered key: rows arrive in id order, so InnoDB appends pages instead of
// splitting them, which a random review_id as primary key would do on every
// insert.
constexpr std::string_view kCreateStaging = R"sql(
CREATE TABLE `reviews_new` (
  id INT UNSIGNED NOT NULL,
  marketplace CHAR(2) NOT NULL,
  customer_id INT UNSIGNED NOT NULL,
  review_id CHAR(14) NOT NULL,
  product_id CHAR(10) NOT NULL,
  product_parent INT UNSIGNED NOT NULL,
  product_title VARCHAR(255) NOT NULL,
  product_category VARCHAR(32) NOT NULL,
  star_rating TINYINT UNSIGNED NOT NULL,
  helpful_votes INT UNSIGNED NOT NULL,
  total_votes INT UNSIGNED NOT NULL,
  vine CHAR(1) NOT NULL,
  verified_purchase CHAR(1) NOT NULL,
  review_headline VARCHAR(255) NOT NULL,
  review_body TEXT NOT NULL,
  review_date DATE NOT NULL,
  version BIGINT UNSIGNED NOT NULL DEFAULT 1,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
  COMMENT='synthetic reviews loaded by dbcachectl seed'
)sql";

// Built after the load: one sorted pass per index beats maintaining them row by
// row. product_date serves the product_page workload (a product's latest
// reviews), product_category the category_stats one (workloads.yaml).
constexpr std::string_view kAddIndexes =
    "ALTER TABLE `reviews_new` ADD UNIQUE KEY review_id (review_id), "
    "ADD KEY customer_id (customer_id), ADD KEY product_id (product_id), "
    "ADD KEY product_date (product_id, review_date), "
    "ADD KEY product_category (product_category)";

// What the named workloads need beyond the first schema, added to a table an
// older dbcachectl loaded (name, and the ALTER TABLE clause that adds it).
// The version column says which write a row holds (a write sets it to a
// version dbcached makes from the clock in microseconds, hence BIGINT): a
// cached result carries the versions of its rows, so a read can be told
// stale. A table whose version column an earlier dbcachectl made INT gets
// it widened.
struct SchemaAddition {
  std::string_view kind;  // "column", "index" or "type" (of a column)
  std::string_view name;
  std::string_view clause;
};
constexpr SchemaAddition kWorkloadSchema[] = {
    {"column", "version",
     "ADD COLUMN version BIGINT UNSIGNED NOT NULL DEFAULT 1"},
    {"type", "version",
     "MODIFY COLUMN version BIGINT UNSIGNED NOT NULL DEFAULT 1"},
    {"index", "product_date", "ADD KEY product_date (product_id, review_date)"},
    {"index", "product_category",
     "ADD KEY product_category (product_category)"},
};

constexpr std::string_view kCreateMeta = R"sql(
CREATE TABLE IF NOT EXISTS `reviews_meta` (
  table_name VARCHAR(64) NOT NULL PRIMARY KEY,
  row_count BIGINT UNSIGNED NOT NULL,
  seed BIGINT UNSIGNED NOT NULL,
  generator_version INT NOT NULL,
  data_checksum CHAR(16) NOT NULL,
  load_method VARCHAR(16) NOT NULL,
  load_seconds DOUBLE NOT NULL,
  loaded_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
  COMMENT='what dbcachectl seed loaded into the reviews table'
)sql";

// Errors that mean "LOAD DATA LOCAL is disabled here" rather than "it failed".
bool LocalInfileRefused(unsigned error) {
  switch (error) {
    case 1148:  // ER_NOT_ALLOWED_COMMAND (MariaDB, MySQL 5.x)
    case 2068:  // CR_LOAD_DATA_LOCAL_INFILE_REJECTED (MySQL client)
    case 3948:  // ER_CLIENT_LOCAL_FILES_DISABLED (MySQL 8 server)
    case 4166:  // ER_LOAD_INFILE_CAPABILITY_DISABLED (MariaDB 10.5+)
      return true;
    default:
      return false;
  }
}

struct XxhStateFree {
  void operator()(XXH64_state_t* state) const { XXH64_freeState(state); }
};
using XxhState = std::unique_ptr<XXH64_state_t, XxhStateFree>;

// Produces rows 0..rows-1 in order, in chunks of LOAD DATA text or INSERT
// tuples, hashing the text form of each (the data checksum) and reporting
// progress.
class RowStream {
 public:
  RowStream(uint64_t seed, int64_t rows, std::FILE* progress_out)
      : generator_(seed), rows_(rows), hash_(XXH64_createState()) {
    if (hash_ == nullptr) std::abort();  // Out of memory.
    XXH64_reset(hash_.get(), 0);
    if (progress_out != nullptr) {
      progress_ = std::make_unique<Progress>(progress_out, "loading", rows);
    }
  }

  bool done() const { return next_ >= rows_; }

  // Appends whole rows as text lines to `out` until it holds `bytes` or all are
  // out.
  void AppendTsv(std::string* out, size_t bytes) {
    while (!done() && out->size() < bytes) {
      const size_t start = out->size();
      NextRow();
      ctl::AppendTsv(review_, out);
      XXH64_update(hash_.get(), out->data() + start, out->size() - start);
    }
    ReportProgress();
  }

  // Appends whole rows as ",(...)" tuples (no comma before the first) until
  // `out` holds `bytes` or all are out.
  void AppendTuples(std::string* out, size_t bytes) {
    bool first = true;
    while (!done() && out->size() < bytes) {
      NextRow();
      scratch_.clear();
      ctl::AppendTsv(review_, &scratch_);
      XXH64_update(hash_.get(), scratch_.data(), scratch_.size());
      if (!first) out->push_back(',');
      first = false;
      AppendSqlTuple(review_, out);
    }
    ReportProgress();
  }

  std::string Checksum() const {
    return absl::StrFormat("%016x", XXH64_digest(hash_.get()));
  }

  void FinishProgress() {
    if (progress_ != nullptr) progress_->Done(next_);
  }

 private:
  void NextRow() {
    generator_.Generate(static_cast<uint64_t>(next_), &review_);
    ++next_;
  }

  void ReportProgress() {
    if (progress_ != nullptr) progress_->Update(next_);
  }

  ReviewGenerator generator_;
  int64_t rows_;
  int64_t next_ = 0;
  Review review_;
  std::string scratch_;
  XxhState hash_;
  std::unique_ptr<Progress> progress_;
};

// The first few warnings of the last statement, for an error message.
std::string Warnings(MysqlSession& session) {
  absl::StatusOr<std::vector<SqlRow>> rows =
      session.Query("SHOW WARNINGS LIMIT 3");
  if (!rows.ok()) return std::string(rows.status().message());
  std::string out;
  for (const SqlRow& row : *rows) {
    if (row.size() < 3) continue;
    dbcache::StrAppend(&out, out.empty() ? "" : "; ", row[2].value_or(""));
  }
  return out;
}

// Strict mode turns most bad values into errors; whatever remains a warning (a
// truncation, say) still means the table differs from what was generated.
absl::Status CheckNoWarnings(MysqlSession& session) {
  if (session.warning_count() == 0) return absl::OkStatus();
  return absl::DataLossError(dbcache::StrCat("loading raised ",
                                             session.warning_count(),
                                             " warnings: ", Warnings(session)));
}

absl::StatusOr<uint64_t> LoadWithInfile(MysqlSession& session,
                                        RowStream& stream) {
  std::string pending;
  size_t offset = 0;
  InfileSource source = [&](absl::Span<char> buffer) -> absl::StatusOr<size_t> {
    if (offset == pending.size()) {
      pending.clear();
      offset = 0;
      if (stream.done()) return 0;
      stream.AppendTsv(&pending, kChunkBytes);
    }
    const size_t n = std::min(buffer.size(), pending.size() - offset);
    std::memcpy(buffer.data(), pending.data() + offset, n);
    offset += n;
    return n;
  };
  // The defaults spelled out: tab-separated fields, backslash escapes,
  // newline-ended.
  const std::string sql = dbcache::StrCat(
      "LOAD DATA LOCAL INFILE 'dbcachectl-generated-reviews' INTO TABLE `",
      kStaging,
      "` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' "
      "LINES TERMINATED BY '\\n' (",
      kReviewColumns, ")");
  absl::StatusOr<uint64_t> loaded =
      session.LoadDataLocal(sql, std::move(source));
  if (!loaded.ok()) return loaded.status();
  DBCACHE_RETURN_IF_ERROR(CheckNoWarnings(session));
  return loaded;
}

absl::StatusOr<uint64_t> LoadWithInserts(MysqlSession& session,
                                         RowStream& stream) {
  const std::string head = dbcache::StrCat("INSERT INTO `", kStaging, "` (",
                                           kReviewColumns, ") VALUES ");
  std::string sql;
  uint64_t loaded = 0;
  while (!stream.done()) {
    sql = head;
    stream.AppendTuples(&sql, kChunkBytes);
    DBCACHE_RETURN_IF_ERROR(session.Execute(sql));
    DBCACHE_RETURN_IF_ERROR(CheckNoWarnings(session));
    loaded += session.affected_rows();
  }
  return loaded;
}

absl::StatusOr<bool> TableExists(MysqlSession& session,
                                 std::string_view database,
                                 std::string_view table) {
  absl::StatusOr<std::optional<std::string>> count =
      session.QueryValue(dbcache::StrCat(
          "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA "
          "= ",
          session.Quote(database), " AND TABLE_NAME = ", session.Quote(table)));
  if (!count.ok()) return count.status();
  return count->value_or("0") != "0";
}

// Adds whatever of kWorkloadSchema `table` lacks, in one ALTER TABLE; nothing
// when it has it all. information_schema rather than MariaDB's ADD ... IF NOT
// EXISTS, which MySQL does not have.
absl::StatusOr<int> AddWorkloadSchema(MysqlSession& session,
                                      std::string_view database,
                                      std::string_view table) {
  std::string clauses;
  int added = 0;
  for (const SchemaAddition& a : kWorkloadSchema) {
    const bool column = a.kind != "index";
    const bool type = a.kind == "type";
    absl::StatusOr<std::optional<std::string>> count =
        session.QueryValue(dbcache::StrCat(
            "SELECT COUNT(*) FROM information_schema.",
            column ? "COLUMNS" : "STATISTICS", " WHERE TABLE_SCHEMA = ",
            session.Quote(database), " AND TABLE_NAME = ", session.Quote(table),
            column ? " AND COLUMN_NAME = " : " AND INDEX_NAME = ",
            session.Quote(a.name), type ? " AND DATA_TYPE <> 'bigint'" : ""));
    if (!count.ok()) return count.status();
    // A missing column or index is added; a column of another type (which
    // exists, so is not being added) is widened.
    if ((count->value_or("0") != "0") != type) continue;
    dbcache::StrAppend(&clauses, clauses.empty() ? "" : ", ", a.clause);
    ++added;
  }
  if (added > 0) {
    DBCACHE_RETURN_IF_ERROR(session.Execute(
        dbcache::StrCat("ALTER TABLE `", table, "` ", clauses)));
  }
  return added;
}

absl::StatusOr<int64_t> CountRows(MysqlSession& session,
                                  std::string_view table) {
  absl::StatusOr<std::optional<std::string>> count =
      session.QueryValue(dbcache::StrCat("SELECT COUNT(*) FROM `", table, "`"));
  if (!count.ok()) return count.status();
  int64_t value = 0;
  if (!count->has_value() || !absl::SimpleAtoi(**count, &value)) {
    return absl::UnknownError(
        dbcache::StrCat("COUNT(*) of ", table, " is not a number"));
  }
  return value;
}

struct Meta {
  int64_t rows = 0;
  uint64_t seed = 0;
  int generator_version = 0;
  std::string data_checksum;
};

absl::StatusOr<std::optional<Meta>> ReadMeta(MysqlSession& session) {
  absl::StatusOr<std::vector<SqlRow>> rows = session.Query(
      dbcache::StrCat("SELECT row_count, seed, generator_version, "
                      "data_checksum FROM `reviews_meta` "
                      "WHERE table_name = '",
                      kTable, "'"));
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  const SqlRow& row = rows->front();
  Meta meta;
  if (row.size() != 4 || !absl::SimpleAtoi(row[0].value_or(""), &meta.rows) ||
      !absl::SimpleAtoi(row[1].value_or(""), &meta.seed) ||
      !absl::SimpleAtoi(row[2].value_or(""), &meta.generator_version)) {
    return std::nullopt;  // Not ours to trust: reload.
  }
  meta.data_checksum = row[3].value_or("");
  return meta;
}

// Holds a server-side named lock for the life of the object (and the
// connection).
class SeedLock {
 public:
  static absl::StatusOr<SeedLock> Acquire(MysqlSession& session,
                                          std::string_view database) {
    // Lock names are at most 64 characters; database names are at most 64 too.
    std::string name = dbcache::StrCat("dbcache.seed:", database.substr(0, 48));
    absl::StatusOr<std::optional<std::string>> got = session.QueryValue(
        dbcache::StrCat("SELECT GET_LOCK(", session.Quote(name), ", 0)"));
    if (!got.ok()) return got.status();
    if (got->value_or("0") != "1") {
      return absl::FailedPreconditionError(
          dbcache::StrCat("another dbcachectl seed is loading database ",
                          database, "; try again when it has finished"));
    }
    return SeedLock(session, std::move(name));
  }

  SeedLock(SeedLock&& other)
      : session_(std::exchange(other.session_, nullptr)),
        name_(std::move(other.name_)) {}
  SeedLock& operator=(SeedLock&&) = delete;

  ~SeedLock() {
    // Best effort: closing the connection releases it anyway.
    if (session_ != nullptr) {
      session_
          ->Execute(
              dbcache::StrCat("DO RELEASE_LOCK(", session_->Quote(name_), ")"))
          .IgnoreError();
    }
  }

 private:
  SeedLock(MysqlSession& session, std::string name)
      : session_(&session), name_(std::move(name)) {}

  MysqlSession* session_;
  std::string name_;
};

}  // namespace

absl::StatusOr<LoadMethod> ParseLoadMethod(std::string_view text) {
  if (text == "auto") return LoadMethod::kAuto;
  if (text == "infile") return LoadMethod::kInfile;
  if (text == "insert") return LoadMethod::kInsert;
  return absl::InvalidArgumentError(dbcache::StrCat(
      "'", text, "' is not a load method (auto, infile, insert)"));
}

std::string_view LoadMethodName(LoadMethod method) {
  switch (method) {
    case LoadMethod::kAuto:
      return "auto";
    case LoadMethod::kInfile:
      return "infile";
    case LoadMethod::kInsert:
      return "insert";
  }
  return "?";
}

MysqlOptions SeedConnectionOptions(const config::Settings& settings,
                                   int64_t rows) {
  MysqlOptions options;
  options.host = settings.mysql_host;
  options.port = settings.mysql_port;
  options.user = settings.mysql_user;
  options.password = settings.mysql_password;
  options.connect_timeout = settings.connect_timeout;
  // A minute plus 100 us per row: 70 s for 100,000 rows, 17 min for 10 million.
  const absl::Duration bulk =
      absl::Seconds(60) + absl::Microseconds(100) * rows;
  options.read_timeout = std::max(settings.query_timeout, bulk);
  options.write_timeout = options.read_timeout;
  options.local_infile = true;
  options.tls = settings.mysql_tls;
  return options;
}

absl::StatusOr<SeedResult> Seed(MysqlSession& session,
                                std::string_view database,
                                const SeedOptions& options) {
  if (options.rows < kMinSeedRows || options.rows > kMaxSeedRows) {
    return absl::InvalidArgumentError(
        dbcache::StrCat("rows must be ", kMinSeedRows, "..", kMaxSeedRows,
                        ", not ", options.rows));
  }
  const absl::Time start = absl::Now();
  SeedResult result;
  result.rows = options.rows;
  result.seed = options.seed;

  // A reader holding the table (a running dbcached) makes RENAME wait; give up
  // after a minute instead of the server's default of a year.
  DBCACHE_RETURN_IF_ERROR(
      session.Execute("SET SESSION lock_wait_timeout = 60"));
  absl::StatusOr<SeedLock> lock = SeedLock::Acquire(session, database);
  if (!lock.ok()) return lock.status();
  DBCACHE_RETURN_IF_ERROR(session.Execute(dbcache::StrCat(
      "CREATE DATABASE IF NOT EXISTS ", QuoteIdentifier(database))));
  DBCACHE_RETURN_IF_ERROR(session.SelectDatabase(database));
  DBCACHE_RETURN_IF_ERROR(session.Execute(kCreateMeta));

  absl::StatusOr<bool> exists = TableExists(session, database, kTable);
  if (!exists.ok()) return exists.status();
  absl::StatusOr<std::optional<Meta>> meta = ReadMeta(session);
  if (!meta.ok()) return meta.status();
  if (*exists && meta->has_value() && (*meta)->rows == options.rows &&
      (*meta)->seed == options.seed &&
      (*meta)->generator_version == kGeneratorVersion) {
    absl::StatusOr<int64_t> count = CountRows(session, kTable);
    if (!count.ok()) return count.status();
    if (*count == options.rows) {
      // A table an older dbcachectl loaded gets what the workloads need;
      // its rows stay as they are.
      absl::StatusOr<int> added = AddWorkloadSchema(session, database, kTable);
      if (!added.ok()) return added.status();
      result.schema_additions = *added;
      result.unchanged = *added == 0;
      result.data_checksum = (*meta)->data_checksum;
      result.elapsed = absl::Now() - start;
      return result;
    }
  }

  // Leftovers of an interrupted run are ours to drop.
  DBCACHE_RETURN_IF_ERROR(session.Execute(dbcache::StrCat(
      "DROP TABLE IF EXISTS `", kStaging, "`, `", kRetired, "`")));
  DBCACHE_RETURN_IF_ERROR(session.Execute(kCreateStaging));
  // Lets InnoDB load an empty table in bulk (no per-row undo logging).
  DBCACHE_RETURN_IF_ERROR(
      session.Execute("SET SESSION unique_checks = 0, foreign_key_checks = 0"));

  auto stream =
      std::make_unique<RowStream>(options.seed, options.rows, options.progress);
  absl::StatusOr<uint64_t> loaded = absl::UnknownError("not loaded");
  result.method = options.method == LoadMethod::kInsert ? LoadMethod::kInsert
                                                        : LoadMethod::kInfile;
  if (result.method == LoadMethod::kInfile) {
    loaded = LoadWithInfile(session, *stream);
    if (!loaded.ok() && options.method == LoadMethod::kAuto &&
        LocalInfileRefused(session.errno_value())) {
      if (options.progress != nullptr) {
        absl::FPrintF(
            options.progress,
            "LOAD DATA LOCAL INFILE is disabled here (%s); using INSERTs\n",
            loaded.status().message());
      }
      DBCACHE_RETURN_IF_ERROR(
          session.Execute(dbcache::StrCat("TRUNCATE TABLE `", kStaging, "`")));
      stream = std::make_unique<RowStream>(options.seed, options.rows,
                                           options.progress);
      result.method = LoadMethod::kInsert;
    }
  }
  if (result.method == LoadMethod::kInsert)
    loaded = LoadWithInserts(session, *stream);
  if (!loaded.ok()) return loaded.status();
  stream->FinishProgress();
  if (*loaded != static_cast<uint64_t>(options.rows)) {
    return absl::DataLossError(
        dbcache::StrCat("loaded ", *loaded, " rows, expected ", options.rows));
  }
  result.data_checksum = stream->Checksum();
  DBCACHE_RETURN_IF_ERROR(
      session.Execute("SET SESSION unique_checks = 1, foreign_key_checks = 1"));

  if (options.progress != nullptr && options.rows >= 1000000) {
    absl::FPrintF(options.progress,
                  "building indexes on review_id, customer_id, "
                  "product_id...\n");
  }
  DBCACHE_RETURN_IF_ERROR(session.Execute(kAddIndexes));

  // The metadata goes first: if we stop between here and the new row, the next
  // run finds none and reloads, rather than trusting a row that describes other
  // data.
  DBCACHE_RETURN_IF_ERROR(session.Execute(dbcache::StrCat(
      "DELETE FROM `reviews_meta` WHERE table_name = '", kTable, "'")));
  exists = TableExists(session, database, kTable);
  if (!exists.ok()) return exists.status();
  if (*exists) {
    DBCACHE_RETURN_IF_ERROR(session.Execute(
        dbcache::StrCat("RENAME TABLE `", kTable, "` TO `", kRetired, "`, `",
                        kStaging, "` TO `", kTable, "`")));
  } else {
    DBCACHE_RETURN_IF_ERROR(session.Execute(
        dbcache::StrCat("RENAME TABLE `", kStaging, "` TO `", kTable, "`")));
  }
  result.elapsed = absl::Now() - start;
  DBCACHE_RETURN_IF_ERROR(session.Execute(
      absl::StrFormat("INSERT INTO `reviews_meta` (table_name, row_count, "
                      "seed, generator_version, "
                      "data_checksum, load_method, load_seconds, loaded_at) "
                      "VALUES ('%s', %d, %d, %d, '%s', '%s', %.3f, NOW(6))",
                      kTable, options.rows, options.seed, kGeneratorVersion,
                      result.data_checksum, LoadMethodName(result.method),
                      absl::ToDoubleSeconds(result.elapsed))));
  DBCACHE_RETURN_IF_ERROR(session.Execute(
      dbcache::StrCat("DROP TABLE IF EXISTS `", kRetired, "`")));
  result.elapsed = absl::Now() - start;
  return result;
}

absl::StatusOr<TableReport> Inspect(MysqlSession& session,
                                    std::string_view database) {
  absl::StatusOr<bool> exists = TableExists(session, database, kTable);
  if (!exists.ok()) return exists.status();
  if (!*exists) {
    return absl::NotFoundError(dbcache::StrCat(
        "no table ", database, ".", kTable, ": run 'dbcachectl seed' first"));
  }
  DBCACHE_RETURN_IF_ERROR(session.SelectDatabase(database));
  TableReport report;
  absl::StatusOr<int64_t> count = CountRows(session, kTable);
  if (!count.ok()) return count.status();
  report.count = *count;

  absl::StatusOr<bool> has_meta =
      TableExists(session, database, "reviews_meta");
  if (!has_meta.ok()) return has_meta.status();
  if (*has_meta) {
    absl::StatusOr<std::optional<Meta>> meta = ReadMeta(session);
    if (!meta.ok()) return meta.status();
    if (meta->has_value()) {
      report.rows = (*meta)->rows;
      report.seed = (*meta)->seed;
      report.generator_version = (*meta)->generator_version;
      report.data_checksum = (*meta)->data_checksum;
    }
  }
  absl::StatusOr<std::vector<SqlRow>> checksum =
      session.Query(dbcache::StrCat("CHECKSUM TABLE `", kTable, "`"));
  if (!checksum.ok()) return checksum.status();
  if (!checksum->empty() && checksum->front().size() >= 2) {
    report.table_checksum = checksum->front()[1].value_or("NULL");
  }
  return report;
}

}  // namespace dbcache::ctl
