#include "daemon/cache/codec.h"

#include <xxhash.h>

#include <algorithm>
#include <cassert>
#include <utility>

#include "absl/status/status.h"
#include "daemon/common/str_cat.h"

namespace dbcache::cache {
namespace {

constexpr size_t kMagicSize = sizeof(kCodecMagic);
constexpr size_t kHeaderSize = kMagicSize + 1;
constexpr size_t kChecksumSize = 8;
constexpr size_t kMaxVarintSize = 10;

absl::Status Truncated(size_t offset, std::string_view what) {
  return absl::DataLossError(
      dbcache::StrCat("truncated at byte ", offset, what));
}

uint64_t Checksum(const char* data, size_t size) {
  return XXH3_64bits(data, size);
}

uint64_t LoadLittleEndian64(const char* p) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) {
    value = (value << 8) | static_cast<uint8_t>(p[i]);
  }
  return value;
}

// Bounds-checked cursor over the part of the value that precedes the checksum.
class Reader {
 public:
  Reader(const char* data, size_t pos, size_t end)
      : data_(data), pos_(pos), end_(end) {}

  size_t pos() const { return pos_; }
  size_t remaining() const { return end_ - pos_; }
  const char* current() const { return data_ + pos_; }
  void Skip(size_t n) { pos_ += n; }

  // Reads an unsigned LEB128 varint. On failure leaves the cursor where it was
  // and says why: it ran out of bytes, or the encoding does not fit in 64 bits.
  enum class Result { kOk, kTruncated, kOverflow };
  Result ReadVarint(uint64_t* value) {
    uint64_t result = 0;
    size_t p = pos_;
    for (size_t i = 0; i < kMaxVarintSize; ++i, ++p) {
      if (p >= end_) return Result::kTruncated;
      const uint8_t byte = static_cast<uint8_t>(data_[p]);
      // The tenth byte may only contribute the 64th bit.
      if (i == kMaxVarintSize - 1 && byte > 1) return Result::kOverflow;
      result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0) {
        pos_ = p + 1;
        *value = result;
        return Result::kOk;
      }
    }
    return Result::kOverflow;
  }

 private:
  const char* data_;
  size_t pos_;
  size_t end_;
};

absl::Status VarintError(Reader::Result result, size_t offset,
                         std::string_view what) {
  if (result == Reader::Result::kTruncated) return Truncated(offset, what);
  return absl::DataLossError(
      dbcache::StrCat("malformed varint at byte ", offset, what));
}

// Magic, version and (version 2) the entry's metadata: what every check of a
// value reads first, so that the quick check and the full parse cannot disagree
// about a header. Returns a cursor past the metadata, bounded by the checksum.
absl::StatusOr<Reader> ReadHeader(std::string_view bytes,
                                  std::optional<EntryMeta>* meta) {
  const size_t size = bytes.size();
  // A value shorter than the magic but agreeing with it so far was cut short;
  // any disagreement means the value was never ours.
  for (size_t i = 0; i < std::min(size, kMagicSize); ++i) {
    if (bytes[i] != kCodecMagic[i]) {
      return absl::DataLossError("not a dbcache value (bad magic)");
    }
  }
  if (size < kHeaderSize) return Truncated(size, " (header)");
  const uint8_t version = static_cast<uint8_t>(bytes[kMagicSize]);
  if (version != kCodecVersion && version != kCodecVersionWithMeta) {
    return absl::DataLossError(
        dbcache::StrCat("unsupported codec version ", version));
  }
  // Everything after the header and before the 8-byte checksum is the body. A
  // value too short to hold a checksum has an empty body, and fails at its
  // first field.
  const size_t body_end =
      size >= kHeaderSize + kChecksumSize ? size - kChecksumSize : kHeaderSize;
  Reader reader(bytes.data(), kHeaderSize, body_end);
  meta->reset();
  if (version == kCodecVersionWithMeta) {
    meta->emplace();
    for (uint64_t* field : {&(*meta)->stored_ms, &(*meta)->ttl_ms,
                            &(*meta)->soft_ttl_ms, &(*meta)->delta_us}) {
      const size_t at = reader.pos();
      if (auto r = reader.ReadVarint(field); r != Reader::Result::kOk) {
        return VarintError(r, at, " (entry metadata)");
      }
    }
  }
  return reader;
}

bool ChecksumMatches(std::string_view bytes) {
  const size_t body_end = bytes.size() - kChecksumSize;
  return LoadLittleEndian64(bytes.data() + body_end) ==
         Checksum(bytes.data(), body_end);
}

// One parser for both DecodeResultSet and ValidateResultSet, so that they
// cannot disagree about what is valid; the sink decides whether anything is
// materialized. Every count is checked against the bytes that remain before the
// sink sees it, so a sink may reserve() what it is told without trusting the
// input.
template <typename Sink>
absl::Status Parse(std::string_view bytes, Sink& sink, ResultSetShape* shape) {
  std::optional<EntryMeta> meta;
  absl::StatusOr<Reader> header = ReadHeader(bytes, &meta);
  if (!header.ok()) return header.status();
  Reader& reader = *header;

  size_t at = 0;
  uint64_t columns = 0;
  at = reader.pos();
  if (auto r = reader.ReadVarint(&columns); r != Reader::Result::kOk) {
    return VarintError(r, at, " (column count)");
  }
  if (columns > kMaxColumns) {
    return absl::DataLossError(
        dbcache::StrCat("column count ", columns, " exceeds ", kMaxColumns));
  }
  if (columns > reader.remaining()) {
    return absl::DataLossError(
        dbcache::StrCat("column count ", columns, " exceeds remaining bytes"));
  }
  sink.OnColumns(static_cast<uint32_t>(columns));
  for (uint64_t i = 0; i < columns; ++i) {
    uint64_t len = 0;
    at = reader.pos();
    if (auto r = reader.ReadVarint(&len); r != Reader::Result::kOk) {
      return VarintError(r, at, " (column name)");
    }
    if (len > reader.remaining()) return Truncated(at, " (column name)");
    sink.OnColumnName(std::string_view(reader.current(), len));
    reader.Skip(len);
  }

  uint64_t rows = 0;
  at = reader.pos();
  if (auto r = reader.ReadVarint(&rows); r != Reader::Result::kOk) {
    return VarintError(r, at, " (row count)");
  }
  // Every cell takes at least one byte, so the remaining bytes bound the row
  // count. Checked by division: rows * columns may not fit in 64 bits.
  if (columns == 0 ? rows != 0 : rows > reader.remaining() / columns) {
    return absl::DataLossError(
        dbcache::StrCat("row count ", rows, " exceeds remaining bytes"));
  }
  sink.OnRows(rows);
  for (uint64_t row = 0; row < rows; ++row) {
    sink.OnRowStart();
    for (uint64_t column = 0; column < columns; ++column) {
      uint64_t tag = 0;
      at = reader.pos();
      if (auto r = reader.ReadVarint(&tag); r != Reader::Result::kOk) {
        return VarintError(
            r, at, dbcache::StrCat(" (row ", row, ", column ", column, ")"));
      }
      if (tag == 0) {
        sink.OnNull();
        continue;
      }
      const uint64_t len = tag - 1;
      if (len > reader.remaining()) {
        return Truncated(
            at, dbcache::StrCat(" (row ", row, ", column ", column, ")"));
      }
      sink.OnCell(reader.current(), len);
      reader.Skip(len);
    }
  }

  if (reader.remaining() != 0) {
    return absl::DataLossError(dbcache::StrCat(
        "trailing bytes: ", reader.remaining(), " after the last cell"));
  }
  // The structure checks above guarantee size >= kHeaderSize + kChecksumSize
  // here.
  if (!ChecksumMatches(bytes)) return absl::DataLossError("checksum mismatch");
  shape->columns = static_cast<uint32_t>(columns);
  shape->rows = rows;
  shape->meta = meta;
  return absl::OkStatus();
}

struct ValidatingSink {
  void OnColumns(uint32_t) {}
  void OnColumnName(std::string_view) {}
  void OnRows(uint64_t) {}
  void OnRowStart() {}
  void OnNull() {}
  void OnCell(const char*, size_t) {}
};

class DecodingSink {
 public:
  explicit DecodingSink(ResultSet* out) : out_(out) {}

  void OnColumns(uint32_t n) {
    column_count_ = n;
    out_->columns.reserve(n);
  }
  void OnColumnName(std::string_view name) { out_->columns.emplace_back(name); }
  void OnRows(uint64_t n) { out_->rows.reserve(n); }
  void OnRowStart() { out_->rows.emplace_back().reserve(column_count_); }
  void OnNull() { out_->rows.back().emplace_back(std::nullopt); }
  void OnCell(const char* data, size_t len) {
    out_->rows.back().emplace_back(std::in_place, data, len);
  }

 private:
  ResultSet* out_;
  uint32_t column_count_ = 0;
};

}  // namespace

ResultSetWriter::ResultSetWriter(std::string* out) : out_(out) {
  out_->clear();
}

void ResultSetWriter::AppendVarint(uint64_t value) {
  if (value < 0x80) {
    out_->push_back(static_cast<char>(value));
    return;
  }
  char buffer[kMaxVarintSize];
  size_t n = 0;
  while (value >= 0x80) {
    buffer[n++] = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  buffer[n++] = static_cast<char>(value);
  out_->append(buffer, n);
}

void ResultSetWriter::Begin(uint32_t column_count) {
  assert(state_ == State::kNew);
  assert(column_count <= kMaxColumns);
  state_ = State::kNames;
  column_count_ = column_count;
  out_->append(kCodecMagic, kMagicSize);
  if (meta_.has_value()) {
    out_->push_back(static_cast<char>(kCodecVersionWithMeta));
    AppendVarint(meta_->stored_ms);
    AppendVarint(meta_->ttl_ms);
    AppendVarint(meta_->soft_ttl_ms);
    AppendVarint(meta_->delta_us);
  } else {
    out_->push_back(static_cast<char>(kCodecVersion));
  }
  AppendVarint(column_count);
}

void ResultSetWriter::AddColumnName(std::string_view name) {
  assert(state_ == State::kNames);
  assert(names_added_ < column_count_);
  ++names_added_;
  AppendVarint(name.size());
  out_->append(name.data(), name.size());
}

void ResultSetWriter::BeginRows(uint64_t row_count) {
  assert(state_ == State::kNames);
  assert(names_added_ == column_count_);
  assert(column_count_ != 0 || row_count == 0);
  state_ = State::kRows;
  cells_expected_ = row_count * column_count_;
  AppendVarint(row_count);
}

void ResultSetWriter::AddCell(const char* data, size_t len) {
  assert(state_ == State::kRows);
  assert(cells_added_ < cells_expected_);
  ++cells_added_;
  AppendVarint(static_cast<uint64_t>(len) + 1);
  // MySQL hands out nullptr for some empty cells; append(nullptr, 0) is not
  // allowed.
  if (len != 0) out_->append(data, len);
}

void ResultSetWriter::AddNull() {
  assert(state_ == State::kRows);
  assert(cells_added_ < cells_expected_);
  ++cells_added_;
  out_->push_back('\0');
}

void ResultSetWriter::Finish() {
  assert(state_ == State::kRows);
  assert(cells_added_ == cells_expected_);
  state_ = State::kFinished;
  const uint64_t sum = Checksum(out_->data(), out_->size());
  char buffer[kChecksumSize];
  for (size_t i = 0; i < kChecksumSize; ++i) {
    buffer[i] = static_cast<char>(sum >> (8 * i));
  }
  out_->append(buffer, kChecksumSize);
}

namespace {

void Encode(const ResultSet& result_set, const EntryMeta* meta,
            std::string* out) {
  const size_t column_count = result_set.columns.size();
  assert(column_count <= kMaxColumns);
  ResultSetWriter writer(out);
  if (meta != nullptr) writer.SetMeta(*meta);
  writer.Begin(static_cast<uint32_t>(column_count));
  for (const std::string& name : result_set.columns) {
    writer.AddColumnName(name);
  }
  assert(column_count != 0 || result_set.rows.empty());
  writer.BeginRows(column_count == 0 ? 0 : result_set.rows.size());
  if (column_count == 0) {
    writer.Finish();
    return;
  }
  for (const auto& row : result_set.rows) {
    assert(row.size() == column_count);
    for (size_t i = 0; i < column_count; ++i) {
      if (i < row.size() && row[i].has_value()) {
        writer.AddCell(row[i]->data(), row[i]->size());
      } else {
        writer.AddNull();
      }
    }
  }
  writer.Finish();
}

}  // namespace

void EncodeResultSet(const ResultSet& result_set, std::string* out) {
  Encode(result_set, nullptr, out);
}

std::string EncodeResultSet(const ResultSet& result_set) {
  std::string out;
  Encode(result_set, nullptr, &out);
  return out;
}

std::string EncodeResultSet(const ResultSet& result_set,
                            const EntryMeta& meta) {
  std::string out;
  Encode(result_set, &meta, &out);
  return out;
}

absl::StatusOr<ResultSet> DecodeResultSet(std::string_view bytes) {
  ResultSet result;
  DecodingSink sink(&result);
  ResultSetShape shape;
  if (absl::Status status = Parse(bytes, sink, &shape); !status.ok()) {
    return status;
  }
  return result;
}

absl::StatusOr<EntryHeader> CheckResultSet(std::string_view bytes) {
  EntryHeader header;
  absl::StatusOr<Reader> reader = ReadHeader(bytes, &header.meta);
  if (!reader.ok()) return reader.status();
  if (bytes.size() < kHeaderSize + kChecksumSize) {
    return Truncated(bytes.size(), " (checksum)");
  }
  if (!ChecksumMatches(bytes)) return absl::DataLossError("checksum mismatch");
  return header;
}

absl::StatusOr<ResultSetShape> ValidateResultSet(std::string_view bytes) {
  ValidatingSink sink;
  ResultSetShape shape;
  if (absl::Status status = Parse(bytes, sink, &shape); !status.ok()) {
    return status;
  }
  return shape;
}

}  // namespace dbcache::cache
