#include "daemon/cache/codec.h"

#include <xxhash.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/support/allocation_counter.h"

namespace dbcache::cache {
namespace {

using ::dbcache::testing::AllocationCounter;
using ::testing::AnyOf;
using ::testing::HasSubstr;

ResultSet Sample() {
  ResultSet rs;
  rs.columns = {"customer_id", "review_id", "note"};
  rs.rows.push_back({"42", "R1", std::nullopt});
  rs.rows.push_back({"43", "", "hello"});
  rs.rows.push_back({std::nullopt, std::nullopt, std::string("\0\xff", 2)});
  return rs;
}

void ExpectRoundTrip(const ResultSet& rs) {
  const std::string bytes = EncodeResultSet(rs);
  absl::StatusOr<ResultSet> decoded = DecodeResultSet(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, rs);
  absl::StatusOr<ResultSetShape> shape = ValidateResultSet(bytes);
  ASSERT_TRUE(shape.ok()) << shape.status();
  EXPECT_EQ(shape->columns, rs.columns.size());
  EXPECT_EQ(shape->rows, rs.rows.size());
  absl::StatusOr<EntryHeader> entry = CheckResultSet(bytes);
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_FALSE(entry->meta.has_value());
}

// Appends a correct checksum, so that a test reaches the structural check it is
// about instead of failing on the checksum.
std::string WithChecksum(std::string body) {
  uint64_t sum = XXH3_64bits(body.data(), body.size());
  for (int i = 0; i < 8; ++i) body.push_back(static_cast<char>(sum >> (8 * i)));
  return body;
}

// Both entry points must reject the same inputs with the same status.
absl::Status ExpectSameError(std::string_view bytes) {
  absl::StatusOr<ResultSet> decoded = DecodeResultSet(bytes);
  absl::StatusOr<ResultSetShape> shape = ValidateResultSet(bytes);
  EXPECT_FALSE(decoded.ok());
  EXPECT_FALSE(shape.ok());
  EXPECT_EQ(decoded.status(), shape.status());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss)
      << decoded.status();
  // The quick check reads no cells: it may pass a value whose structure is
  // wrong only when its checksum is right.
  absl::StatusOr<EntryHeader> entry = CheckResultSet(bytes);
  if (entry.ok()) {
    EXPECT_TRUE(bytes.size() >= 13 && WithChecksum(std::string(bytes.substr(
                                          0, bytes.size() - 8))) == bytes);
  } else {
    EXPECT_EQ(entry.status().code(), absl::StatusCode::kDataLoss);
  }
  return decoded.status();
}

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

std::string Header() { return std::string("\xDB\xCAQR\x01", 5); }

TEST(CodecTest, RoundTripsSample) { ExpectRoundTrip(Sample()); }

TEST(CodecTest, NullIsNotEmptyString) {
  ResultSet with_null{{"c"}, {{std::nullopt}}};
  ResultSet with_empty{{"c"}, {{std::string()}}};
  const std::string a = EncodeResultSet(with_null);
  const std::string b = EncodeResultSet(with_empty);
  EXPECT_NE(a, b);
  absl::StatusOr<ResultSet> da = DecodeResultSet(a);
  absl::StatusOr<ResultSet> db = DecodeResultSet(b);
  ASSERT_TRUE(da.ok() && db.ok());
  EXPECT_FALSE(da->rows[0][0].has_value());
  ASSERT_TRUE(db->rows[0][0].has_value());
  EXPECT_EQ(*db->rows[0][0], "");
}

TEST(CodecTest, RoundTripsEveryByteValue) {
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  ResultSet rs;
  rs.columns = {std::string("n\0me", 4), "\xff\xfe", ""};
  rs.rows.push_back({all_bytes, std::string(1, '\0'), std::string(3, '\xff')});
  rs.rows.push_back({std::string(), std::nullopt, all_bytes + all_bytes});
  ExpectRoundTrip(rs);
}

TEST(CodecTest, RoundTripsZeroRows) {
  ResultSet rs{{"customer_id", "review_id"}, {}};
  ExpectRoundTrip(rs);
}

TEST(CodecTest, RoundTripsZeroColumns) {
  ResultSet rs;
  ExpectRoundTrip(rs);
  // Header, column count 0, row count 0, checksum.
  EXPECT_EQ(EncodeResultSet(rs).size(), 5u + 1 + 1 + 8);
}

TEST(CodecTest, RoundTripsTenThousandRows) {
  ResultSet rs{{"customer_id", "review_id"}, {}};
  for (int i = 0; i < 10000; ++i) {
    std::optional<std::string> review;
    if (i % 7 != 0) review = "R" + std::to_string(i * 31);
    rs.rows.push_back({std::to_string(i), review});
  }
  ExpectRoundTrip(rs);
}

TEST(CodecTest, RoundTripsLongCells) {
  std::mt19937_64 rng(7);
  std::string big(70000, '\0');
  for (char& c : big) c = static_cast<char>(rng());
  std::string huge(3 << 20, 'x');  // 3 MiB: a four-byte length varint
  ResultSet rs{{"blob", "text"}, {{big, huge}, {huge, std::nullopt}}};
  ExpectRoundTrip(rs);
}

TEST(CodecTest, FormatIsPinned) {
  // Version 1 layout, spelled out byte by byte: changing it needs a new
  // version.
  ResultSet rs{{"a", "bc"}, {{"x", std::nullopt}, {"", "yz"}}};
  std::string expected = Header();
  expected += std::string("\x02", 1) +
              "\x01"
              "a"
              "\x02"
              "bc";                                   // columns
  expected += std::string("\x02", 1);                 // rows
  expected += std::string("\x02x\x00\x01\x03yz", 7);  // cells
  expected = WithChecksum(expected);
  EXPECT_EQ(EncodeResultSet(rs), expected);
}

TEST(CodecTest, WriterMatchesEncodeResultSet) {
  const ResultSet rs = Sample();
  std::string out = "stale contents that the writer must clear";
  ResultSetWriter writer(&out);
  writer.Begin(static_cast<uint32_t>(rs.columns.size()));
  for (const std::string& name : rs.columns) writer.AddColumnName(name);
  writer.BeginRows(rs.rows.size());
  for (const auto& row : rs.rows) {
    for (const auto& cell : row) {
      if (cell.has_value()) {
        writer.AddCell(cell->data(), cell->size());
      } else {
        writer.AddNull();
      }
    }
  }
  writer.Finish();
  EXPECT_EQ(out, EncodeResultSet(rs));
}

TEST(CodecTest, WriterTakesNullptrForEmptyCell) {
  std::string out;
  ResultSetWriter writer(&out);
  writer.Begin(1);
  writer.AddColumnName("c");
  writer.BeginRows(1);
  writer.AddCell(nullptr, 0);
  writer.Finish();
  EXPECT_EQ(out, EncodeResultSet(ResultSet{{"c"}, {{std::string()}}}));
}

TEST(CodecTest, HotPathDoesNotAllocate) {
  const ResultSet rs = Sample();
  std::string out;
  out.reserve(4096);
  const char* buffer = out.data();
  {
    AllocationCounter counter;
    for (int round = 0; round < 3; ++round) {
      ResultSetWriter writer(&out);
      writer.Begin(3);
      writer.AddColumnName("customer_id");
      writer.AddColumnName("review_id");
      writer.AddColumnName("note");
      writer.BeginRows(100);
      for (int i = 0; i < 100; ++i) {
        writer.AddCell("12345", 5);
        writer.AddNull();
        writer.AddCell("some text", 9);
      }
      writer.Finish();
    }
    absl::StatusOr<ResultSetShape> shape = ValidateResultSet(out);
    absl::StatusOr<EntryHeader> entry = CheckResultSet(out);
    EXPECT_EQ(counter.count(), 0);
    ASSERT_TRUE(shape.ok()) << shape.status();
    EXPECT_EQ(*shape, (ResultSetShape{3, 100, std::nullopt}));
    ASSERT_TRUE(entry.ok()) << entry.status();
  }
  EXPECT_EQ(out.data(), buffer);  // capacity was reused, not reallocated
}

TEST(CodecTest, RejectsEveryTruncation) {
  const std::string bytes = EncodeResultSet(Sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    SCOPED_TRACE(n);
    absl::Status status = ExpectSameError(std::string_view(bytes.data(), n));
    EXPECT_THAT(status.message(), AnyOf(HasSubstr("truncated at byte"),
                                        HasSubstr("exceeds remaining bytes")));
  }
}

TEST(CodecTest, ReportsWhereTruncated) {
  EXPECT_EQ(ExpectSameError("").message(), "truncated at byte 0 (header)");
  EXPECT_EQ(ExpectSameError("\xDB\xCA").message(),
            "truncated at byte 2 (header)");
}

TEST(CodecTest, RejectsBadMagic) {
  for (std::string_view bytes :
       {std::string_view("hello world, this is not a result set"),
        std::string_view("{\"rows\":[]}"), std::string_view("x"),
        std::string_view(
            "\xDB\xCBQR\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 15)}) {
    EXPECT_EQ(ExpectSameError(bytes).message(),
              "not a dbcache value (bad magic)");
  }
}

TEST(CodecTest, RejectsOtherVersions) {
  std::string bytes = EncodeResultSet(Sample());
  bytes[4] = 3;
  EXPECT_EQ(ExpectSameError(bytes).message(), "unsupported codec version 3");
  bytes[4] = 0;
  EXPECT_EQ(ExpectSameError(bytes).message(), "unsupported codec version 0");
}

// A version-2 value: `meta`, then the rows of `rs`.
std::string EncodeWithMeta(const ResultSet& rs, const EntryMeta& meta) {
  return EncodeResultSet(rs, meta);
}

TEST(CodecTest, Version2CarriesTheEntryMetadata) {
  const EntryMeta meta{1'800'000'123'456, 5000, 2500, 812};
  const std::string bytes = EncodeWithMeta(Sample(), meta);
  absl::StatusOr<ResultSetShape> shape = ValidateResultSet(bytes);
  ASSERT_TRUE(shape.ok()) << shape.status();
  ASSERT_TRUE(shape->meta.has_value());
  EXPECT_EQ(*shape->meta, meta);
  EXPECT_EQ(shape->meta->expiry_ms(), 1'800'000'128'456u);
  EXPECT_EQ(shape->meta->soft_expiry_ms(), 1'800'000'125'956u);
  absl::StatusOr<ResultSet> decoded = DecodeResultSet(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, Sample());
  // Version 1 has none, and no soft expiry means the hard one.
  EXPECT_FALSE(ValidateResultSet(EncodeResultSet(Sample()))->meta.has_value());
  EXPECT_EQ((EntryMeta{100, 50, 0, 1}).soft_expiry_ms(), 150u);
}

TEST(CodecTest, Version2FormatIsPinned) {
  ResultSet rs{{"a"}, {{"x"}}};
  std::string expected("\xDB\xCAQR\x02", 5);
  expected += std::string("\xe8\x07", 2);  // stored_ms 1000
  expected += std::string("\x64", 1);      // ttl_ms 100
  expected += std::string("\x32", 1);      // soft_ttl_ms 50
  expected += std::string("\x07", 1);      // delta_us 7
  expected += std::string(
      "\x01\x01"
      "a"
      "\x01\x02x",
      6);
  EXPECT_EQ(EncodeWithMeta(rs, EntryMeta{1000, 100, 50, 7}),
            WithChecksum(expected));
}

TEST(CodecTest, Version2RejectsEveryTruncationAndFlippedBit) {
  const std::string bytes =
      EncodeWithMeta(Sample(), EntryMeta{1'800'000'000'000, 86'400'000, 0, 9});
  for (size_t n = 0; n < bytes.size(); ++n) {
    ExpectSameError(std::string_view(bytes.data(), n)).IgnoreError();
  }
  for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    std::string flipped = bytes;
    flipped[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    // Flipping the version byte from 2 to 3 is an unsupported version; every
    // other flip must fail too.
    ExpectSameError(flipped).IgnoreError();
  }
  // Metadata cut short before the rows start.
  EXPECT_THAT(
      ExpectSameError(WithChecksum(std::string("\xDB\xCAQR\x02\x80", 6)))
          .message(),
      ::testing::HasSubstr("(entry metadata)"));
}

TEST(CodecTest, RejectsRandomBytes) {
  std::mt19937_64 rng(20240601);
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(rng() % 200, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    ExpectSameError(bytes).IgnoreError();
    // Random bytes behind a valid header exercise the structural checks.
    ExpectSameError(Header() + bytes).IgnoreError();
  }
}

TEST(CodecTest, RejectsHugeRowCountBeforeAllocating) {
  std::string body = Header();
  AppendVarint(&body, 1);
  AppendVarint(&body, 1);
  body += "a";
  AppendVarint(&body, 123456789);
  body += std::string("\x01\x01\x01", 3);
  EXPECT_EQ(ExpectSameError(WithChecksum(body)).message(),
            "row count 123456789 exceeds remaining bytes");

  std::string max_rows = Header();
  AppendVarint(&max_rows, 2);
  AppendVarint(&max_rows, 0);
  AppendVarint(&max_rows, 0);
  AppendVarint(&max_rows, UINT64_MAX);
  EXPECT_EQ(ExpectSameError(WithChecksum(max_rows)).message(),
            "row count 18446744073709551615 exceeds remaining bytes");

  // Without columns a row takes no bytes, so any row count would be unbounded.
  std::string no_columns = Header();
  AppendVarint(&no_columns, 0);
  AppendVarint(&no_columns, 5);
  EXPECT_EQ(ExpectSameError(WithChecksum(no_columns)).message(),
            "row count 5 exceeds remaining bytes");
}

TEST(CodecTest, RejectsTooManyColumns) {
  std::string body = Header();
  AppendVarint(&body, 5000);
  body += std::string(6000, '\0');
  EXPECT_EQ(ExpectSameError(WithChecksum(body)).message(),
            "column count 5000 exceeds 4096");

  std::string short_body = Header();
  AppendVarint(&short_body, 100);
  short_body += std::string(10, '\0');
  EXPECT_EQ(ExpectSameError(WithChecksum(short_body)).message(),
            "column count 100 exceeds remaining bytes");
}

TEST(CodecTest, RejectsCellLengthPastTheEnd) {
  std::string body = Header();
  AppendVarint(&body, 1);
  AppendVarint(&body, 1);
  body += "c";
  AppendVarint(&body, 1);
  const size_t cell_at = body.size();
  AppendVarint(&body, 101);  // 100 bytes announced, 3 present
  body += "abc";
  EXPECT_EQ(
      ExpectSameError(WithChecksum(body)).message(),
      "truncated at byte " + std::to_string(cell_at) + " (row 0, column 0)");
}

TEST(CodecTest, RejectsNameLengthPastTheEnd) {
  std::string body = Header();
  AppendVarint(&body, 1);
  AppendVarint(&body, 1000);
  body += "abc";
  EXPECT_EQ(ExpectSameError(WithChecksum(body)).message(),
            "truncated at byte 6 (column name)");
}

TEST(CodecTest, RejectsOverlongVarint) {
  std::string body = Header();
  body += std::string(10, '\x80');
  body += std::string("\x01", 1);
  EXPECT_EQ(ExpectSameError(WithChecksum(body)).message(),
            "malformed varint at byte 5 (column count)");
}

TEST(CodecTest, RejectsEveryFlippedBit) {
  const std::string bytes = EncodeResultSet(Sample());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      SCOPED_TRACE(::testing::Message() << "byte " << i << " bit " << bit);
      std::string corrupt = bytes;
      corrupt[i] = static_cast<char>(corrupt[i] ^ (1 << bit));
      ExpectSameError(corrupt).IgnoreError();
    }
  }
  // Flips in the body that keep the structure intact are caught by the
  // checksum.
  std::string corrupt = bytes;
  corrupt[corrupt.size() - 9] ^= 0x01;  // last byte of the last cell
  EXPECT_EQ(ExpectSameError(corrupt).message(), "checksum mismatch");
  corrupt = bytes;
  corrupt.back() ^= 0x40;  // the checksum itself
  EXPECT_EQ(ExpectSameError(corrupt).message(), "checksum mismatch");
}

// The hit path's check: every truncation and every flipped bit of a value,
// version 1 or 2, fails it; what it passes it passes with the metadata.
TEST(CodecTest, CheckRejectsEveryTruncationAndFlippedBit) {
  const EntryMeta meta{1'800'000'000'000, 86'400'000, 0, 9};
  for (const std::string& bytes :
       {EncodeResultSet(Sample()), EncodeWithMeta(Sample(), meta)}) {
    absl::StatusOr<EntryHeader> entry = CheckResultSet(bytes);
    ASSERT_TRUE(entry.ok()) << entry.status();
    EXPECT_EQ(entry->meta, ValidateResultSet(bytes)->meta);
    for (size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_FALSE(CheckResultSet(std::string_view(bytes.data(), n)).ok()) << n;
    }
    for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
      std::string flipped = bytes;
      flipped[bit / 8] ^= static_cast<char>(1 << (bit % 8));
      EXPECT_FALSE(CheckResultSet(flipped).ok()) << "bit " << bit;
    }
  }
  EXPECT_EQ(*CheckResultSet(EncodeWithMeta(Sample(), meta))->meta, meta);
}

TEST(CodecTest, CheckSaysWhy) {
  EXPECT_EQ(CheckResultSet("hello").status().message(),
            "not a dbcache value (bad magic)");
  EXPECT_EQ(CheckResultSet("\xDB\xCA").status().message(),
            "truncated at byte 2 (header)");
  EXPECT_EQ(CheckResultSet(std::string("\xDB\xCAQR\x07", 5)).status().message(),
            "unsupported codec version 7");
  EXPECT_EQ(CheckResultSet(std::string("\xDB\xCAQR\x01\x00\x00", 7))
                .status()
                .message(),
            "truncated at byte 7 (checksum)");
  std::string bytes = EncodeResultSet(Sample());
  bytes[6] ^= 0x20;
  EXPECT_EQ(CheckResultSet(bytes).status().message(), "checksum mismatch");
}

// What the check leaves to the decode: a value with a right checksum around a
// wrong structure (only a faulty encoder writes one) passes it, and the decode
// that anything reading the rows goes through refuses it.
TEST(CodecTest, CheckLeavesTheStructureToTheDecode) {
  const std::string bytes = EncodeResultSet(Sample());
  const std::string body = bytes.substr(0, bytes.size() - 8) + "junk";
  EXPECT_TRUE(CheckResultSet(WithChecksum(body)).ok());
  EXPECT_FALSE(DecodeResultSet(WithChecksum(body)).ok());
}

TEST(CodecTest, RejectsTrailingBytes) {
  const std::string bytes = EncodeResultSet(Sample());
  EXPECT_THAT(ExpectSameError(bytes + "x").message(),
              HasSubstr("trailing bytes"));
  // Extra bytes inside the checksummed part are caught too.
  std::string body = bytes.substr(0, bytes.size() - 8) + "junk";
  EXPECT_EQ(ExpectSameError(WithChecksum(body)).message(),
            "trailing bytes: 4 after the last cell");
}

}  // namespace
}  // namespace dbcache::cache
