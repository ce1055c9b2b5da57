#include "daemon/run/load/zipf_sampler.h"

#include <algorithm>
#include <cmath>

namespace dbcache::run {
namespace {

// log1p(t) / t and expm1(t) / t, both 1 at t = 0, where the plain quotients
// would divide zero by zero (s = 1 exactly, or x = 1).
double Log1pOverT(double t) {
  return std::abs(t) > 1e-8 ? std::log1p(t) / t : 1 - t / 2 + t * t / 3;
}
double Expm1OverT(double t) {
  return std::abs(t) > 1e-8 ? std::expm1(t) / t : 1 + t / 2 + t * t / 6;
}

}  // namespace

ZipfSampler::ZipfSampler(int64_t n, double s)
    : n_(std::max<int64_t>(1, n)), s_(s) {
  integral_x1_ = Integral(1.5) - 1;
  integral_n_ = Integral(static_cast<double>(n_) + 0.5);
  squeeze_ = 2 - IntegralInverse(Integral(2.5) - Density(2));
}

double ZipfSampler::Density(double x) const {
  return std::exp(-s_ * std::log(x));
}

// (x^(1-s) - 1) / (1 - s), or log x at s = 1.
double ZipfSampler::Integral(double x) const {
  const double log_x = std::log(x);
  return Expm1OverT((1 - s_) * log_x) * log_x;
}

double ZipfSampler::IntegralInverse(double y) const {
  // For s > 1 the integral is bounded by 1 / (s - 1), and y * (1 - s) comes
  // within 1e-24 of -1 at s = 5 over a million keys, where doubles round it
  // to -1 and log1p would give -inf: keep it at the next double above.
  const double t = std::max(std::nextafter(-1.0, 0.0), y * (1 - s_));
  return std::exp(Log1pOverT(t) * y);
}

int64_t ZipfSampler::Next(std::mt19937_64& rng) const {
  if (n_ == 1) return 1;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  while (true) {
    // u falls in rank k's strip [H(k - 0.5), H(k + 0.5)) of the area under
    // x^-s (rank 1's strip is stretched to height 1 at its left end).
    const double u = integral_n_ + unit(rng) * (integral_x1_ - integral_n_);
    const double x = IntegralInverse(u);
    const int64_t k = std::clamp<int64_t>(std::llround(x), 1, n_);
    // Kept when u lies under the pmf's own bar k^-s, which the squeeze
    // decides without evaluating H for most draws.
    if (static_cast<double>(k) - x <= squeeze_ ||
        u >= Integral(static_cast<double>(k) + 0.5) -
                 Density(static_cast<double>(k))) {
      return k;
    }
  }
}

}  // namespace dbcache::run
