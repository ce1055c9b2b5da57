#ifndef DBCACHE_DAEMON_RUN_LOAD_ZIPF_SAMPLER_H_
#define DBCACHE_DAEMON_RUN_LOAD_ZIPF_SAMPLER_H_

#include <cstdint>
#include <random>

namespace dbcache::run {

// Draws ranks 1..n with P(k) proportional to k^-s, for any s > 0, in O(1)
// expected time per draw and O(1) set-up and memory, by rejection-inversion
// (Hoermann and Derflinger, "Rejection-inversion to generate variates from
// monotone discrete distributions", ACM TOMACS 1996): invert the integral of
// x^-s, which bounds the histogram of the pmf from above, and accept the
// rounded point unless it fell in the gap between the two. An alias table
// would cost O(n) memory for a million keys; this costs three doubles.
//
//   ZipfSampler zipf(/*n=*/10000, /*s=*/0.99);
//   std::mt19937_64 rng(seed);
//   int64_t rank = zipf.Next(rng);  // 1 is the most frequent
class ZipfSampler {
 public:
  ZipfSampler(int64_t n, double s);

  int64_t Next(std::mt19937_64& rng) const;

  int64_t n() const { return n_; }
  double s() const { return s_; }

 private:
  // x^-s, and its integral H with H(1) = 0 and its inverse, written so that s
  // near 1 loses no precision.
  double Density(double x) const;
  double Integral(double x) const;
  double IntegralInverse(double y) const;

  int64_t n_;
  double s_;
  double integral_x1_;  // H(1.5) - 1: the top of rank 1's strip
  double integral_n_;   // H(n + 0.5)
  double squeeze_;      // points this close to their rank are always kept
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_LOAD_ZIPF_SAMPLER_H_
