#ifndef DBCACHE_DAEMON_CACHE_CODEC_H_
#define DBCACHE_DAEMON_CACHE_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "daemon/cache/result_set.h"

namespace dbcache::cache {

// The binary form of a cached result set. All integers are unsigned LEB128
// varints except the checksum:
//
//   magic "\xDB\xCAQR" | version 0x01, or 0x02 followed by the entry's
//                         metadata (EntryMeta: stored_ms | ttl_ms |
//                         soft_ttl_ms | delta_us)
//   column count | column count x (name length | name bytes)
//   row count    | row count x column count cells, row-major,
//                  each cell: tag (0 = NULL, else byte length + 1) | bytes
//   XXH3_64 of every byte before it, 8 bytes little-endian
//
// The magic, the exact-end rule and the checksum make a corrupt, truncated or
// foreign value fail to decode instead of silently yielding wrong rows; the
// cache treats such a value as a miss.
inline constexpr char kCodecMagic[4] = {'\xDB', '\xCA', 'Q', 'R'};
inline constexpr uint8_t kCodecVersion = 1;
inline constexpr uint8_t kCodecVersionWithMeta = 2;

// What a stampede strategy needs to know about an entry beyond its rows, stored
// with them (version 2) by the strategies that read it back: when it was
// stored (wall clock, Unix ms), how long it lives in Redis, when it turns stale
// (stale-while-revalidate: 0 = never before it expires), and how long the
// database took to compute it (the delta of probabilistic early expiration).
struct EntryMeta {
  uint64_t stored_ms = 0;
  uint64_t ttl_ms = 0;
  uint64_t soft_ttl_ms = 0;
  uint64_t delta_us = 0;

  uint64_t expiry_ms() const { return stored_ms + ttl_ms; }
  uint64_t soft_expiry_ms() const {
    return soft_ttl_ms == 0 ? expiry_ms() : stored_ms + soft_ttl_ms;
  }
  bool operator==(const EntryMeta& other) const = default;
};
// MySQL's own limit on the columns of a table; a larger count is corruption.
inline constexpr uint32_t kMaxColumns = 4096;

// Incremental encoder, fed straight from MYSQL_RES rows on the daemon's hot
// path so no ResultSet is ever built. Calls must come in this order: Begin,
// AddColumnName once per column, BeginRows, AddCell/AddNull row_count x
// column_count times (row-major), Finish. A wrong order is a programming error:
// it fails an assert in debug builds; release builds write whatever they were
// given, which then fails to decode (a miss). No allocation happens beyond
// growing *out, whose capacity is kept across uses.
//
//   std::string value;  // reused for every query
//   ResultSetWriter writer(&value);
//   writer.Begin(mysql_num_fields(res));
//   for (...) writer.AddColumnName(field.name);
//   writer.BeginRows(mysql_num_rows(res));
//   while (MYSQL_ROW row = mysql_fetch_row(res)) {
//     for (unsigned i = 0; i < n; ++i) {
//       if (row[i] == nullptr) {
//         writer.AddNull();
//       } else {
//         writer.AddCell(row[i], len[i]);
//       }
//     }
//   }
//   writer.Finish();  // value now holds the encoded result set
class ResultSetWriter {
 public:
  // Clears *out (keeping its capacity); *out must outlive the writer.
  explicit ResultSetWriter(std::string* out);

  ResultSetWriter(const ResultSetWriter&) = delete;
  ResultSetWriter& operator=(const ResultSetWriter&) = delete;

  // Makes the value a version-2 one that carries `meta`; before Begin, which
  // then writes it (for callers such as QueryResult::EncodeTo that only know
  // the rows).
  void SetMeta(const EntryMeta& meta) { meta_ = meta; }
  void Begin(uint32_t column_count);
  void AddColumnName(std::string_view name);
  void BeginRows(uint64_t row_count);
  void AddCell(const char* data, size_t len);
  void AddCell(std::string_view data) { AddCell(data.data(), data.size()); }
  void AddNull();
  // Appends the checksum. *out is complete only after this call.
  void Finish();

 private:
  enum class State { kNew, kNames, kRows, kFinished };

  void AppendVarint(uint64_t value);

  std::string* out_;
  std::optional<EntryMeta> meta_;
  State state_ = State::kNew;
  uint32_t column_count_ = 0;
  uint32_t names_added_ = 0;
  uint64_t cells_expected_ = 0;
  uint64_t cells_added_ = 0;
};

// Encodes a whole ResultSet; output is byte-identical to feeding the same data
// through ResultSetWriter. Every row must have columns.size() cells (asserted;
// in release a short row is padded with NULLs and extra cells are dropped), and
// a result set with no columns has no rows.
void EncodeResultSet(const ResultSet& result_set, std::string* out);
std::string EncodeResultSet(const ResultSet& result_set);
// The same as a version-2 value carrying `meta`.
std::string EncodeResultSet(const ResultSet& result_set, const EntryMeta& meta);

// Decodes and fully checks a value written by the encoder. Errors are
// DataLossError: "not a dbcache value (bad magic)", "unsupported codec version
// N", "truncated at byte K", "row count N exceeds remaining bytes", "column
// count N exceeds 4096", "checksum mismatch", "trailing bytes", ...
absl::StatusOr<ResultSet> DecodeResultSet(std::string_view bytes);

struct ResultSetShape {
  uint32_t columns = 0;
  uint64_t rows = 0;
  // Present in version-2 values.
  std::optional<EntryMeta> meta;

  bool operator==(const ResultSetShape& other) const = default;
};

// The same checks as DecodeResultSet (it fails exactly when DecodeResultSet
// fails, with the same status) without materializing anything and without heap
// allocation on success: for a cache hit that only needs to be verified before
// it is used.
//
//   absl::StatusOr<ResultSetShape> shape = ValidateResultSet(reply_bytes);
//   if (!shape.ok()) { /* count a corrupt entry, treat as a miss */ }
absl::StatusOr<ResultSetShape> ValidateResultSet(std::string_view bytes);

struct EntryHeader {
  // Present in version-2 values.
  std::optional<EntryMeta> meta;

  bool operator==(const EntryHeader& other) const = default;
};

// The cheap part of ValidateResultSet: magic, version, metadata, and the
// checksum over every byte, without walking the cells. It is what a cache hit
// whose rows nobody reads needs: a value changed after Finish (corrupt,
// truncated, overwritten by another writer) passes only by a 64-bit hash
// collision. What it does not catch is a value whose checksum is right and
// whose structure is not, which only a faulty encoder writes; anything that
// reads the rows uses DecodeResultSet, which refuses it. It succeeds whenever
// ValidateResultSet does, with the same metadata.
//
//   absl::StatusOr<EntryHeader> entry = CheckResultSet(reply_bytes);
//   if (!entry.ok()) { /* count a corrupt entry, treat as a miss */ }
absl::StatusOr<EntryHeader> CheckResultSet(std::string_view bytes);

}  // namespace dbcache::cache

#endif  // DBCACHE_DAEMON_CACHE_CODEC_H_
