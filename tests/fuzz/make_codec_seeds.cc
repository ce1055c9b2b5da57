// Writes the codec fuzzer's seed corpus (tests/fuzz/corpus/codec/): valid
// values of the shapes the daemon stores, and one value per kind of damage the
// decoder must reject. Each seed's expected outcome is checked as it is
// written, so a codec change that breaks a seed's meaning fails here.
//
//   build-fuzz/fuzz/make_codec_seeds tests/fuzz/corpus/codec
#include <xxhash.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "daemon/cache/codec.h"
#include "daemon/cache/result_set.h"
#include "daemon/common/str_cat.h"

namespace dbcache::fuzz {
namespace {

using cache::ResultSet;

// The rows `SELECT customer_id, review_id FROM reviews LIMIT n` returns, in
// the seeded table's format.
ResultSet Reviews(int n) {
  ResultSet rs;
  rs.columns = {"customer_id", "review_id"};
  for (int i = 0; i < n; ++i) {
    rs.rows.push_back({StrCat(10'000 + i * 37), StrCat("R", 1'000'000 + i)});
  }
  return rs;
}

ResultSet Mixed() {
  ResultSet rs;
  rs.columns = {"id", "", "note \xc3\xa9"};
  rs.rows.push_back({"1", std::nullopt, ""});
  rs.rows.push_back({std::nullopt, std::nullopt, std::nullopt});
  rs.rows.push_back({"", std::string("\0\xff\x80", 3), std::string(200, 'x')});
  return rs;
}

// Replaces the trailing checksum so that only the structure is wrong.
std::string Resum(std::string value) {
  const size_t body = value.size() - 8;
  const uint64_t sum = XXH3_64bits(value.data(), body);
  for (size_t i = 0; i < 8; ++i)
    value[body + i] = static_cast<char>(sum >> (8 * i));
  return value;
}

// A header plus `body`, with a correct checksum.
std::string WithChecksum(std::string_view body) {
  std::string value(cache::kCodecMagic, sizeof(cache::kCodecMagic));
  value.push_back(static_cast<char>(cache::kCodecVersion));
  value.append(body);
  value.append(8, '\0');
  return Resum(std::move(value));
}

bool Write(const std::string& dir, const std::string& name,
           const std::string& value, bool valid) {
  if (cache::ValidateResultSet(value).ok() != valid) {
    std::fprintf(stderr, "make_codec_seeds: %s should %sdecode\n", name.c_str(),
                 valid ? "" : "not ");
    return false;
  }
  std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
  out.write(value.data(), static_cast<std::streamsize>(value.size()));
  return static_cast<bool>(out);
}

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_codec_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  const std::string one = cache::EncodeResultSet(Reviews(1));
  const std::string five = cache::EncodeResultSet(Reviews(5));
  const std::string mixed = cache::EncodeResultSet(Mixed());
  bool ok = true;
  ok &= Write(dir, "valid_empty", cache::EncodeResultSet(ResultSet()), true);
  ResultSet no_rows;
  no_rows.columns = {"customer_id", "review_id"};
  ok &= Write(dir, "valid_no_rows", cache::EncodeResultSet(no_rows), true);
  ok &= Write(dir, "valid_reviews_1", one, true);
  ok &= Write(dir, "valid_reviews_5", five, true);
  ok &=
      Write(dir, "valid_reviews_75", cache::EncodeResultSet(Reviews(75)), true);
  ok &= Write(dir, "valid_mixed", mixed, true);
  // Row count 0 written as an over-long varint (0x80 0x00): accepted, and
  // re-encoded canonically.
  ok &= Write(dir, "valid_overlong_varint",
              WithChecksum(std::string("\x01\x01x\x80\x00", 5)), true);

  ok &= Write(dir, "bad_empty", "", false);
  ok &= Write(dir, "bad_plain_text", "hello, not a cached value", false);
  ok &=
      Write(dir, "bad_magic_prefix", std::string(cache::kCodecMagic, 3), false);
  ok &= Write(dir, "bad_header_only", five.substr(0, 5), false);
  ok &=
      Write(dir, "bad_truncated_half", five.substr(0, five.size() / 2), false);
  ok &= Write(dir, "bad_truncated_checksum", five.substr(0, five.size() - 1),
              false);
  std::string version = five;
  version[4] = 3;
  ok &= Write(dir, "bad_version_3", version, false);
  version[4] = 0;
  ok &= Write(dir, "bad_version_0", version, false);
  // Version 2: the entry's metadata before the rows.
  const std::string with_meta = cache::EncodeResultSet(
      Reviews(5), cache::EntryMeta{1'800'000'000'000, 5000, 2500, 812});
  ok &= Write(dir, "valid_meta_reviews_5", with_meta, true);
  // The metadata cut short: a version-2 header and one varint of it.
  ok &= Write(dir, "bad_meta_truncated",
              Resum(std::string(cache::kCodecMagic, 4) + "\x02\x80" +
                    std::string(8, '\0')),
              false);
  std::string flipped = five;
  flipped[flipped.size() / 2] ^= 0x01;
  ok &= Write(dir, "bad_checksum", flipped, false);
  ok &= Write(dir, "bad_trailing_bytes", Resum(five + std::string(9, '\0')),
              false);
  // One column named "x", then a row count far past the bytes that follow.
  ok &= Write(dir, "bad_huge_row_count",
              WithChecksum(std::string("\x01\x01x\xff\xff\xff\xff\x0f", 8)),
              false);
  ok &= Write(dir, "bad_rows_without_columns",
              WithChecksum(std::string("\x00\x05", 2)), false);
  ok &= Write(dir, "bad_column_count",
              WithChecksum(std::string("\x81\x20\x00", 3)), false);
  // A cell claiming 100 bytes where 1 follows.
  ok &= Write(dir, "bad_cell_past_end",
              WithChecksum(std::string("\x01\x01x\x01\x65y", 6)), false);
  ok &= Write(dir, "bad_name_past_end",
              WithChecksum(std::string("\x01\x40x\x00", 4)), false);
  ok &= Write(dir, "bad_varint_overflow",
              WithChecksum(std::string("\x01\x01x\xff\xff\xff\xff\xff\xff\xff"
                                       "\xff\xff\x02",
                                       13)),
              false);
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace dbcache::fuzz

int main(int argc, char** argv) { return dbcache::fuzz::Main(argc, argv); }
