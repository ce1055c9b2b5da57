#ifndef DBCACHE_DAEMON_RUN_HISTOGRAM_H_
#define DBCACHE_DAEMON_RUN_HISTOGRAM_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/numeric/int128.h"

namespace dbcache::run {

// Latency percentiles in microseconds, for stats snapshots and run summaries.
struct LatencySummary {
  uint64_t count = 0;
  double mean_us = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double max_us = 0;
  double min_us = 0;
};

// A log-linear (HDR-style) histogram of latencies in nanoseconds. Values below
// 256 are counted exactly; above that every power of two is split into 128
// equal buckets, so a bucket is at most 1/128 of its lower bound wide and a
// percentile, reported as its bucket's midpoint, is within 0.4% of the true
// value. Values up to kMaxTrackableNs (about 9.8 hours) are bucketed; larger
// ones are counted in the top bucket. count, min, max and mean are exact
// whatever the value.
//
// All memory (about 40 KB) is allocated by the constructor; Record is O(1) and
// never allocates, so it can run for every query on the hot path.
//
//   LatencyHistogram histogram;
//   histogram.Record(absl::ToInt64Nanoseconds(elapsed));
//   double p99_ns = histogram.Percentile(99);
//   LatencySummary summary = histogram.Summarize();
class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;  // 128
  // Largest exponent e (value in [2^e, 2^(e+1))) that has buckets of its own.
  static constexpr int kMaxExponent = 44;
  static constexpr uint64_t kMaxTrackableNs =
      (uint64_t{1} << (kMaxExponent + 1)) - 1;
  static constexpr size_t kBucketCount =
      (kMaxExponent - kSubBucketBits + 2) * kSubBuckets;

  LatencyHistogram();

  void Record(uint64_t ns) {
    ++counts_[BucketIndex(ns)];
    ++count_;
    sum_ += ns;
    if (ns < min_) min_ = ns;
    if (ns > max_) max_ = ns;
  }

  uint64_t count() const { return count_; }
  // 0 when empty.
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const;
  // Exact sum of every value recorded, in nanoseconds.
  absl::uint128 sum() const { return sum_; }

  // The smallest recorded value v such that at least q percent of the values
  // are <= v (rank ceil(q/100 * count)), as the midpoint of v's bucket clamped
  // to [min, max]; q <= 0 gives min() and q >= 100 gives max() exactly. 0 when
  // empty.
  double Percentile(double q) const;

  // Adds every value recorded by other, as if they had been recorded here.
  void Merge(const LatencyHistogram& other);
  void Reset();

  LatencySummary Summarize() const;

  // Calls f(lower_ns, upper_ns, count) for every non-empty bucket in increasing
  // order; the bucket holds values in [lower_ns, upper_ns). The top bucket also
  // holds every value above kMaxTrackableNs.
  template <class F>
  void ForEachBucket(F f) const {
    for (size_t i = 0; i < kBucketCount; ++i) {
      if (counts_[i] != 0) f(BucketLower(i), BucketUpper(i), counts_[i]);
    }
  }

  // Bucket geometry, public for tests and charts.
  static size_t BucketIndex(uint64_t ns) {
    if (ns > kMaxTrackableNs) return kBucketCount - 1;
    // Values below 2 * kSubBuckets get shift 0: their bucket index is the
    // value.
    const int width = std::bit_width(ns);
    const int shift =
        width > kSubBucketBits + 1 ? width - kSubBucketBits - 1 : 0;
    return static_cast<size_t>(shift) * kSubBuckets + (ns >> shift);
  }
  static uint64_t BucketLower(size_t index);
  static uint64_t BucketUpper(size_t index);

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  absl::uint128 sum_ = 0;
  uint64_t min_ = std::numeric_limits<uint64_t>::max();
  uint64_t max_ = 0;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_HISTOGRAM_H_
