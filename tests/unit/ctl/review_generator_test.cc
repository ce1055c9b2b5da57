#include "daemon/ctl/review_generator.h"

#include <xxhash.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::ctl {
namespace {

using ::testing::AnyOf;
using ::testing::MatchesRegex;

std::string Tsv(const ReviewGenerator& generator, uint64_t index) {
  Review review;
  generator.Generate(index, &review);
  std::string out;
  AppendTsv(review, &out);
  return out;
}

TEST(SplitMix64Test, MatchesTheReferenceSequence) {
  // Vigna's splitmix64.c seeded with 0.
  SplitMix64 rng(0);
  EXPECT_EQ(rng.Next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(rng.Next(), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(rng.Next(), 0x06c45d188009454fULL);
}

TEST(SplitMix64Test, BelowAndUnitStayInRange) {
  SplitMix64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    EXPECT_LT(rng.Below(6), 6u);
    const double u = rng.Unit();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

// The data set of a seed is part of dbcachectl's contract (checksums in
// reviews_meta, results compared across machines): these rows may only change
// together with kGeneratorVersion.
TEST(ReviewGeneratorTest, FirstRowsOfSeedOneAreStable) {
  const ReviewGenerator generator(1);
  EXPECT_EQ(
      Tsv(generator, 0),
      "1\tUS\t24335539\tR2HNP5G46ES28V\tB0EWQVYLXP\t775266075\t"
      "Maple & Oak Compact Pill Organizer, Rose Gold\tHealth & Personal Care\t"
      "5\t0\t0\tN\tY\tExactly what I needed\tExcellent product.\t2013-09-03\n");
  EXPECT_EQ(Tsv(generator, 1),
            "2\tUS\t31451709\tR388OQTPWU4IOB\tB08550582T\t642656360\t"
            "Vantage Lightweight Webcam\tPC\t5\t0\t0\tN\tN\tPerfect\tGreat!\t"
            "2010-02-21\n");
  EXPECT_EQ(
      Tsv(generator, 2),
      "3\tDE\t26951906\tR0NVT4XTAX0KEJ\tB05P2LWE0L\t827281437\t"
      "Quillon Compact Protein Powder, Rose Gold\tHealth & Personal Care\t5\t"
      "107\t147\tN\tN\tLove it!\tI ordered it after reading the other "
      "reviews. Exceeded my expectations. Five stars, no complaints. Price "
      "was reasonable.\t2013-05-28\n");
  EXPECT_EQ(kGeneratorVersion, 1);
}

TEST(ReviewGeneratorTest, ChecksumOfTenThousandRowsIsStable) {
  const ReviewGenerator generator(1);
  std::string text;
  Review review;
  for (uint64_t i = 0; i < 10000; ++i) {
    generator.Generate(i, &review);
    AppendTsv(review, &text);
  }
  EXPECT_EQ(XXH64(text.data(), text.size(), 0), 8398160368448856169ULL);
}

TEST(ReviewGeneratorTest, RowsDependOnlyOnSeedAndIndex) {
  const ReviewGenerator a(42);
  const ReviewGenerator b(42);
  // Out of order, and with a reused Review, gives the same rows.
  Review reused;
  for (uint64_t i : {5u, 3u, 1000u, 0u, 3u}) {
    b.Generate(i, &reused);
    std::string out;
    AppendTsv(reused, &out);
    EXPECT_EQ(out, Tsv(a, i)) << "row " << i;
  }
}

TEST(ReviewGeneratorTest, SeedsGiveDifferentData) {
  EXPECT_NE(Tsv(ReviewGenerator(1), 0), Tsv(ReviewGenerator(2), 0));
  Review one, two;
  ReviewGenerator(1).Generate(0, &one);
  ReviewGenerator(2).Generate(0, &two);
  EXPECT_NE(one.review_id, two.review_id);
}

TEST(ReviewGeneratorTest, RowsAreWellFormed) {
  const ReviewGenerator generator(3);
  std::set<std::string> review_ids;
  Review review;
  constexpr uint64_t kRows = 200000;
  for (uint64_t i = 0; i < kRows; ++i) {
    generator.Generate(i, &review);
    SCOPED_TRACE(testing::Message() << "row " << i);
    ASSERT_EQ(review.id, i + 1);
    ASSERT_TRUE(review_ids.insert(review.review_id).second)
        << "duplicate " << review.review_id;
    if (i % 1000 != 0) continue;  // The rest in detail on a sample.
    EXPECT_THAT(review.review_id, MatchesRegex("R[0-9A-Z]{13}"));
    EXPECT_THAT(review.product_id, AnyOf(MatchesRegex("B0[0-9A-Z]{8}"),
                                         MatchesRegex("[0-9]{9}[0-9X]")));
    EXPECT_THAT(std::string(review.marketplace),
                AnyOf("US", "UK", "DE", "FR", "JP"));
    EXPECT_GE(review.star_rating, 1);
    EXPECT_LE(review.star_rating, 5);
    EXPECT_LE(review.helpful_votes, review.total_votes);
    EXPECT_THAT(review.vine, AnyOf('Y', 'N'));
    EXPECT_THAT(review.verified_purchase, AnyOf('Y', 'N'));
    EXPECT_GE(review.review_date, absl::CivilDay(1999, 6, 1));
    EXPECT_LE(review.review_date, absl::CivilDay(2015, 8, 31));
    EXPECT_GE(review.customer_id, 10000u);
    EXPECT_GE(review.product_parent, 100000000u);
    EXPECT_LE(review.product_parent, 999999999u);
    // Column sizes, and no character that LOAD DATA's text format must escape.
    EXPECT_LE(review.product_title.size(), 255u);
    EXPECT_LE(review.review_headline.size(), 255u);
    EXPECT_LE(review.product_category.size(), 32u);
    EXPECT_FALSE(review.review_body.empty());
    for (const std::string* text :
         {&review.product_title, &review.review_headline,
          &review.review_body}) {
      EXPECT_EQ(text->find_first_of("\t\n\\"), std::string::npos) << *text;
    }
  }
}

TEST(ReviewGeneratorTest, IsbnCheckDigitsAreValid) {
  const ReviewGenerator generator(1);
  Review review;
  int books = 0;
  for (uint64_t i = 0; i < 2000; ++i) {
    generator.Generate(i, &review);
    if (review.product_id.rfind("B0", 0) == 0) continue;
    ++books;
    int sum = 0;
    for (int k = 0; k < 10; ++k) {
      const char c = review.product_id[k];
      sum += (10 - k) * (c == 'X' ? 10 : c - '0');
    }
    EXPECT_EQ(sum % 11, 0) << review.product_id;
  }
  EXPECT_GT(books, 100);
}

TEST(ReviewGeneratorTest, ProductsRecurWithTheSameTitle) {
  const ReviewGenerator generator(1);
  std::map<std::string, std::string> titles;
  Review review;
  int repeats = 0;
  for (uint64_t i = 0; i < 20000; ++i) {
    generator.Generate(i, &review);
    auto [it, inserted] =
        titles.emplace(review.product_id, review.product_title);
    if (!inserted) {
      ++repeats;
      EXPECT_EQ(it->second, review.product_title);
    }
  }
  EXPECT_GT(repeats, 100);
}

Review Sample() {
  Review review;
  ReviewGenerator(1).Generate(0, &review);
  return review;
}

TEST(AppendTsvTest, EscapesTabNewlineAndBackslash) {
  Review review = Sample();
  review.review_body = "a\tb\nc\\d";
  std::string out;
  AppendTsv(review, &out);
  // LOAD DATA reads \t, \n and \\ back as tab, newline and backslash.
  EXPECT_NE(out.find("\ta\\tb\\nc\\\\d\t"), std::string::npos) << out;
  EXPECT_EQ(out.back(), '\n');
}

TEST(AppendSqlTupleTest, DoublesQuotes) {
  Review review = Sample();
  review.product_title = "Men's 'Best' Socks";
  std::string out;
  AppendSqlTuple(review, &out);
  EXPECT_NE(out.find("'Men''s ''Best'' Socks'"), std::string::npos) << out;
  EXPECT_EQ(out.front(), '(');
  EXPECT_EQ(out.back(), ')');
}

}  // namespace
}  // namespace dbcache::ctl
