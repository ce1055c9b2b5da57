#include "daemon/run/histogram.h"

#include <algorithm>
#include <cmath>

namespace dbcache::run {

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

uint64_t LatencyHistogram::BucketLower(size_t index) {
  if (index < 2 * kSubBuckets) return index;
  const size_t shift = index / kSubBuckets - 1;
  return static_cast<uint64_t>(index - shift * kSubBuckets) << shift;
}

uint64_t LatencyHistogram::BucketUpper(size_t index) {
  if (index < 2 * kSubBuckets) return index + 1;
  const size_t shift = index / kSubBuckets - 1;
  return BucketLower(index) + (uint64_t{1} << shift);
}

double LatencyHistogram::mean() const {
  if (count_ == 0) return 0;
  return static_cast<double>(sum_) / static_cast<double>(count_);
}

double LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  // !(q > 0) also sends NaN here.
  if (!(q > 0)) return static_cast<double>(min_);
  if (q >= 100) return static_cast<double>(max_);
  // Shaving a relative 1e-12 keeps rounding error from pushing a whole rank
  // (such as 99.9% of 1000 = 999) up to the next one.
  const double exact_rank = q * static_cast<double>(count_) / 100;
  uint64_t rank = static_cast<uint64_t>(std::ceil(exact_rank * (1 - 1e-12)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  // The extreme ranks are known exactly; no need to approximate them by a
  // bucket.
  if (rank == 1) return static_cast<double>(min_);
  if (rank == count_) return static_cast<double>(max_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // Values are integers, so the bucket's values are lower .. upper - 1.
      const double lower = static_cast<double>(BucketLower(i));
      const double last = static_cast<double>(BucketUpper(i) - 1);
      const double mid = lower + (last - lower) / 2;
      return std::clamp(mid, static_cast<double>(min_),
                        static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);  // Unreachable: counts_ sum to count_.
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  sum_ = 0;
  min_ = std::numeric_limits<uint64_t>::max();
  max_ = 0;
}

LatencySummary LatencyHistogram::Summarize() const {
  constexpr double kNsPerUs = 1000;
  LatencySummary summary;
  summary.count = count_;
  summary.mean_us = mean() / kNsPerUs;
  summary.p50_us = Percentile(50) / kNsPerUs;
  summary.p90_us = Percentile(90) / kNsPerUs;
  summary.p99_us = Percentile(99) / kNsPerUs;
  summary.p999_us = Percentile(99.9) / kNsPerUs;
  summary.max_us = static_cast<double>(max()) / kNsPerUs;
  summary.min_us = static_cast<double>(min()) / kNsPerUs;
  return summary;
}

}  // namespace dbcache::run
