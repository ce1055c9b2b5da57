#include "daemon/cache/digest.h"

#include <xxhash.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/support/allocation_counter.h"

namespace dbcache::cache {
namespace {

using ::dbcache::testing::AllocationCounter;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

// The digest computed independently of digest.cc: one-shot XXH3_128 over the
// concatenated input, high half first.
std::string ReferenceHex(const std::string& database, const std::string& sql) {
  std::string input = database;
  input.push_back('\0');
  input += sql;
  XXH128_hash_t h = XXH3_128bits(input.data(), input.size());
  return absl::StrFormat("%016x%016x", h.high64, h.low64);
}

constexpr char kSql[] = "SELECT customer_id, review_id FROM reviews LIMIT 42";

TEST(DigestTest, HasPrefixInfixAndLowercaseHex) {
  const std::string key = CacheKey("dbcache:", "reviews", kSql);
  EXPECT_THAT(key, StartsWith("dbcache:q:"));
  EXPECT_EQ(key.size(), std::string("dbcache:q:").size() + kCacheKeyHexSize);
  EXPECT_THAT(key, MatchesRegex("dbcache:q:[0-9a-f]{32}"));
}

TEST(DigestTest, IsStableAcrossRunsAndMachines) {
  // Computed once and frozen: a change here orphans every cached entry in every
  // deployment, so it must be deliberate.
  EXPECT_EQ(CacheKey("dbcache:", "reviews", kSql),
            "dbcache:q:" + ReferenceHex("reviews", kSql));
  EXPECT_EQ(CacheKey("dbcache:", "reviews", kSql),
            "dbcache:q:e88abb3e9891f34276730d5770bcd5b6");
  EXPECT_EQ(CacheKey("", "", ""), "q:a6cd5e9392000f6ac44bdff4074eecdb");
}

TEST(DigestTest, MatchesReferenceComputation) {
  for (const auto& [database, sql] :
       std::vector<std::pair<std::string, std::string>>{
           {"reviews", kSql},
           {"", ""},
           {"db", ""},
           {"", "SELECT 1"},
           {"d\xc3\xa9j\xc3\xa0", "SELECT '\xe2\x82\xac'"},
           {"reviews", std::string("SELECT '\0\xff'", 12)},
       }) {
    EXPECT_EQ(CacheKey("p:", database, sql),
              "p:q:" + ReferenceHex(database, sql));
  }
}

TEST(DigestTest, SeparatorKeepsDatabaseAndSqlApart) {
  EXPECT_NE(CacheKey("", "db", "x"), CacheKey("", "d", "bx"));
  EXPECT_NE(CacheKey("", "dbx", ""), CacheKey("", "", "dbx"));
  EXPECT_NE(CacheKey("", "a", "SELECT 1"), CacheKey("", "b", "SELECT 1"));
  EXPECT_NE(CacheKey("", "a", "SELECT 1"), CacheKey("", "a", "SELECT 2"));
}

TEST(DigestTest, PrefixDoesNotChangeTheDigest) {
  const std::string a = CacheKey("dbcache:", "reviews", kSql);
  const std::string b = CacheKey("other:", "reviews", kSql);
  EXPECT_EQ(a.substr(a.size() - kCacheKeyHexSize),
            b.substr(b.size() - kCacheKeyHexSize));
}

TEST(DigestTest, LongTextsHashTheSameWayAsShortOnes) {
  // Around the size where the implementation switches from a stack copy to
  // streaming, and well past it.
  for (size_t total : {1000, 1022, 1023, 1024, 1025, 1026, 5000, 100000}) {
    const std::string database = "reviews";
    std::string sql(total - database.size() - 1, 'x');
    for (size_t i = 0; i < sql.size(); ++i)
      sql[i] = static_cast<char>('a' + i % 26);
    EXPECT_EQ(CacheKey("k:", database, sql),
              "k:q:" + ReferenceHex(database, sql))
        << total;
  }
}

TEST(DigestTest, AppendKeepsExistingContent) {
  std::string out = "GET ";
  AppendCacheKey(&out, "dbcache:", "reviews", kSql);
  EXPECT_EQ(out, "GET " + CacheKey("dbcache:", "reviews", kSql));
}

TEST(DigestTest, AppendDoesNotAllocateIntoReservedBuffer) {
  const std::string long_sql(10000, 's');
  std::string out;
  out.reserve(256);
  AllocationCounter counter;
  for (int i = 0; i < 10; ++i) {
    out.clear();
    AppendCacheKey(&out, "dbcache:", "reviews", kSql);
    out.clear();
    AppendCacheKey(&out, "dbcache:", "reviews", long_sql);
  }
  EXPECT_EQ(counter.count(), 0);
  EXPECT_EQ(out, CacheKey("dbcache:", "reviews", long_sql));
}

}  // namespace
}  // namespace dbcache::cache
