#ifndef DBCACHE_DAEMON_CTL_REVIEW_GENERATOR_H_
#define DBCACHE_DAEMON_CTL_REVIEW_GENERATOR_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/civil_time.h"

namespace dbcache::ctl {

// Bumped whenever the rows generated for a given (seed, index) change, so that
// a database seeded by an older dbcachectl is reloaded rather than trusted.
inline constexpr int kGeneratorVersion = 1;

// SplitMix64 (Steele, Lea and Flood; the constants are Vigna's): a tiny PRNG
// whose output sequence is fully specified by this code, so the data set for a
// seed is the same on every platform and standard library, which neither
// absl::BitGen nor the std:: distributions promise.
//
//   SplitMix64 rng(42);
//   uint64_t die = 1 + rng.Below(6);
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}

  uint64_t Next();
  // Uniform in [0, n) for n > 0 (Lemire's multiply-high; the bias, below n /
  // 2^64, is irrelevant here and keeps one draw per call).
  uint64_t Below(uint64_t n);
  // Uniform in [0, 1), 53 random bits.
  double Unit();
  // True with probability p.
  bool Chance(double p) { return Unit() < p; }

 private:
  uint64_t state_;
};

// SplitMix64's output function: a bijection on 64-bit values that scatters its
// input's bits; used to derive independent streams from (seed, index) pairs.
uint64_t Mix64(uint64_t x);

// One row of the Amazon customer-reviews data set's shape.
struct Review {
  uint64_t id = 0;  // 1-based row number: the clustered primary key.
  std::string_view marketplace;
  uint32_t customer_id = 0;
  std::string review_id;   // "R" + 13 of [0-9A-Z]; unique per (seed, row).
  std::string product_id;  // "B0" + 8 of [0-9A-Z], an ASIN's shape.
  uint32_t product_parent = 0;
  std::string product_title;
  std::string_view product_category;
  int star_rating = 0;  // 1..5
  uint32_t helpful_votes = 0;
  uint32_t total_votes = 0;
  char vine = 'N';
  char verified_purchase = 'N';
  std::string review_headline;
  std::string review_body;
  absl::CivilDay review_date;
};

// Generates plausible synthetic reviews. Row `index` depends only on the seed
// and the index, never on other rows or on how many are generated: seeding
// 1,000 rows gives the first 1,000 rows of seeding 10,000, and rows may be
// generated in any order. Products and customers recur across rows (a product's
// title and category are the same in each of its reviews), with a few popular
// products reviewed often.
//
// Text is ASCII without tabs, newlines or backslashes.
//
//   ReviewGenerator generator(/*seed=*/1);
//   Review review;
//   std::string tsv;
//   for (uint64_t i = 0; i < 1000; ++i) {
//     generator.Generate(i, &review);
//     AppendTsv(review, &tsv);
//   }
class ReviewGenerator {
 public:
  explicit ReviewGenerator(uint64_t seed);

  // Fills `review` with row `index` (0-based); reuses its strings' capacity.
  void Generate(uint64_t index, Review* review) const;

  uint64_t seed() const { return seed_; }

 private:
  uint64_t seed_;
  uint64_t row_key_;
  uint64_t review_id_key_;
  uint64_t product_key_;
  uint64_t customer_key_;
};

// Appends `review` as one line in LOAD DATA's default format: fields separated
// by tabs, the line ended by a newline, tab, newline and backslash escaped by
// backslash. Columns in kReviewColumns order.
void AppendTsv(const Review& review, std::string* out);

// Appends `review` as "(...)" for INSERT ... VALUES, columns in kReviewColumns
// order. Quotes are doubled, which needs no backslash (so holds in
// NO_BACKSLASH_ESCAPES mode); the generator emits no backslash.
void AppendSqlTuple(const Review& review, std::string* out);

// The column list matching AppendTsv and AppendSqlTuple.
inline constexpr std::string_view kReviewColumns =
    "id, marketplace, customer_id, review_id, product_id, product_parent, "
    "product_title, product_category, star_rating, helpful_votes, total_votes, "
    "vine, verified_purchase, review_headline, review_body, review_date";

}  // namespace dbcache::ctl

#endif  // DBCACHE_DAEMON_CTL_REVIEW_GENERATOR_H_
