// libFuzzer target for the result-set codec (daemon/cache/codec.h).
//
// Every input is tried twice: as it is, and with its last 8 bytes replaced by
// the XXH3 checksum of the bytes before them. Without the second form almost
// every mutation would only reach "checksum mismatch", and the decoder's
// success path would be fuzzed by the unmutated seeds alone. Properties:
// - ValidateResultSet and DecodeResultSet agree: both fail with the same
//   DataLoss status, or both succeed with the same shape;
// - CheckResultSet (the hit path's quick check) succeeds whenever they do, with
//   the same metadata; what it passes has a right checksum, and its errors are
//   DataLoss;
// - a decoded result set is well formed (every row has one cell per column);
// - EncodeResultSet of it decodes back to an equal result set, validates to the
//   same shape, and is a fixed point (encoding is canonical even where the
//   input was not, e.g. over-long varints).
//
//   scripts/fuzz.sh --only codec --seconds 600
//   build-fuzz/fuzz/codec_fuzzer crash-file   (replays one input)
#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "daemon/cache/codec.h"
#include "daemon/common/str_cat.h"
#include "tests/fuzz/fuzz_check.h"

namespace dbcache::fuzz {
namespace {

constexpr size_t kChecksumSize = 8;
// Magic and version.
constexpr size_t kHeaderSize = 5;

uint64_t LoadChecksum(std::string_view bytes) {
  uint64_t sum = 0;
  for (size_t i = 0; i < kChecksumSize; ++i) {
    sum |= static_cast<uint64_t>(
               static_cast<uint8_t>(bytes[bytes.size() - kChecksumSize + i]))
           << (8 * i);
  }
  return sum;
}

std::string Describe(const absl::StatusOr<cache::ResultSetShape>& shape) {
  if (!shape.ok()) return shape.status().ToString();
  return StrCat(shape->columns, " columns x ", shape->rows, " rows");
}

void CheckValue(std::string_view bytes) {
  const absl::StatusOr<cache::ResultSetShape> shape =
      cache::ValidateResultSet(bytes);
  const absl::StatusOr<cache::ResultSet> decoded =
      cache::DecodeResultSet(bytes);

  const absl::StatusOr<cache::EntryHeader> entry = cache::CheckResultSet(bytes);

  FUZZ_CHECK(shape.ok() == decoded.ok(),
             StrCat("validate: ", Describe(shape),
                    "; decode: ", decoded.status().ToString()));
  if (!entry.ok()) {
    FUZZ_CHECK(!shape.ok(), StrCat("check: ", entry.status().ToString(),
                                   "; validate: ", Describe(shape)));
    FUZZ_CHECK(entry.status().code() == absl::StatusCode::kDataLoss,
               entry.status().ToString());
  } else {
    FUZZ_CHECK(bytes.size() >= kHeaderSize + kChecksumSize &&
                   XXH3_64bits(bytes.data(), bytes.size() - kChecksumSize) ==
                       LoadChecksum(bytes),
               "check passed a value whose checksum is wrong");
  }
  if (shape.ok()) {
    FUZZ_CHECK(entry.ok() && entry->meta == shape->meta,
               StrCat("check: ", entry.ok() ? "ok, other metadata"
                                            : entry.status().ToString()));
  }
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.status().code() == absl::StatusCode::kDataLoss,
               decoded.status().ToString());
    FUZZ_CHECK(shape.status() == decoded.status(),
               StrCat("validate: ", shape.status().ToString(),
                      "; decode: ", decoded.status().ToString()));
    return;
  }

  const cache::ResultSet& rs = *decoded;
  FUZZ_CHECK(
      rs.columns.size() == shape->columns && rs.rows.size() == shape->rows,
      StrCat("validate: ", Describe(shape), "; decode: ", rs.columns.size(),
             " columns x ", rs.rows.size(), " rows"));
  FUZZ_CHECK(rs.columns.size() <= cache::kMaxColumns, Describe(shape));
  for (const auto& row : rs.rows) {
    FUZZ_CHECK(row.size() == rs.columns.size(),
               StrCat("a row of ", row.size(), " cells in ", Describe(shape)));
  }

  // Re-encoded with the value's own metadata, if it has any (version 2).
  auto encode = [&](const cache::ResultSet& rows) {
    return shape->meta.has_value() ? cache::EncodeResultSet(rows, *shape->meta)
                                   : cache::EncodeResultSet(rows);
  };
  const std::string encoded = encode(rs);
  // Every encoded byte stands for at least one input byte, so re-encoding never
  // grows a value; a bigger result means the encoder wrote something extra.
  FUZZ_CHECK(encoded.size() <= bytes.size(),
             StrCat(encoded.size(), " > ", bytes.size()));
  const absl::StatusOr<cache::ResultSet> again =
      cache::DecodeResultSet(encoded);
  FUZZ_CHECK(again.ok(), again.status().ToString());
  FUZZ_CHECK(*again == rs, "re-encoded value decodes to different rows");
  const absl::StatusOr<cache::ResultSetShape> again_shape =
      cache::ValidateResultSet(encoded);
  FUZZ_CHECK(again_shape.ok() && *again_shape == *shape, Describe(again_shape));
  FUZZ_CHECK(encode(*again) == encoded, "encoding is not canonical");
}

}  // namespace
}  // namespace dbcache::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  dbcache::fuzz::CheckValue(bytes);

  using dbcache::fuzz::kChecksumSize;
  if (size >= dbcache::fuzz::kHeaderSize + kChecksumSize) {
    std::string fixed(bytes);
    const size_t body = size - kChecksumSize;
    const uint64_t sum = XXH3_64bits(fixed.data(), body);
    for (size_t i = 0; i < kChecksumSize; ++i) {
      fixed[body + i] = static_cast<char>(sum >> (8 * i));
    }
    if (fixed != bytes) dbcache::fuzz::CheckValue(fixed);
  }
  return 0;
}
