#ifndef DBCACHE_DAEMON_RUN_INTERVAL_SERIES_H_
#define DBCACHE_DAEMON_RUN_INTERVAL_SERIES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "daemon/run/histogram.h"
#include "daemon/run/outcome.h"

namespace dbcache::run {

// A run cut into fixed 100 ms intervals of the monotonic clock, for charts of
// throughput and latency over time (dbcache:stats "series"): per interval the
// queries that completed in it, by outcome, and the p50 and p99 of their
// end-to-end latencies alone (a histogram's, within 0.4%, cleared each
// interval).
//
// Fixed size: the last kMaxIntervals closed intervals are kept in a ring
// (older ones are dropped, and counted, so that the kept ones still know their
// start), and one histogram serves the open interval and is cleared when it
// closes. All memory is allocated by the constructor; Record never allocates,
// and after a stall of any length it writes at most kMaxIntervals intervals.
//
//   IntervalSeries series;
//   series.Begin(clock.NowNanos());
//   series.Record(clock.NowNanos(), Outcome::kHit, total_ns);  // per query
//   series.ForEachPoint(clock.NowNanos(), [](const IntervalSeries::Point& p) {
//     Plot(p.t_ms, 1000.0 * p.done / p.ms, p.p99_us);
//   });
//   series.Finish(clock.NowNanos());
class IntervalSeries {
 public:
  static constexpr int64_t kIntervalNs = 100'000'000;
  static constexpr int64_t kIntervalMs = kIntervalNs / 1'000'000;
  static constexpr size_t kMaxIntervals = 600;  // a minute

  // One interval. done = hits + misses + coalesced + writes + errors.
  struct Point {
    int64_t t_ms = 0;  // its start, from the run's start
    double ms = 0;     // its width: kIntervalMs, less for the last of a run
    uint64_t done = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t coalesced = 0;
    uint64_t writes = 0;
    uint64_t errors = 0;
    // Of done, the queries with a latency: all but those counted by
    // RecordUntimed. p50_us and p99_us are theirs, 0 when there are none.
    uint64_t timed = 0;
    double p50_us = 0;
    double p99_us = 0;
  };

  IntervalSeries();

  // Forgets the previous run's intervals; the first interval starts at
  // start_ns.
  void Begin(int64_t start_ns);

  // A query completed at now_ns after total_ns, end to end. Closes every
  // interval that ended by now_ns first, empty ones included. A no-op before
  // Begin and after Finish.
  void Record(int64_t now_ns, Outcome outcome, uint64_t total_ns) {
    if (!open_) return;
    if (now_ns >= open_start_ns_ + kIntervalNs) CloseThrough(now_ns);
    Count(outcome, 1);
    latency_.Record(total_ns);
  }

  // `count` queries that ended at now_ns without a latency to report (queries
  // abandoned at a shutdown): in done and their outcome, not in the quantiles.
  void RecordUntimed(int64_t now_ns, Outcome outcome, uint64_t count);

  // Closes the intervals that ended by end_ns and the partial one up to end_ns
  // with its real width. The series then holds still.
  void Finish(int64_t end_ns);

  // Calls f(const Point&) for each interval kept, oldest first, with t_ms in
  // increasing steps of kIntervalMs. While the run goes on (Begin without
  // Finish), the intervals are those at now_ns: the intervals that ended by
  // now_ns though no Record has closed them yet, then the open one's part up to
  // now_ns (if it has a width or a query): up to kMaxIntervals + 1 points.
  // After Finish now_ns is not used.
  template <typename F>
  void ForEachPoint(int64_t now_ns, F f) const {
    const uint64_t ended = EndedBy(now_ns);
    const uint64_t total = closed_ + ended;
    for (uint64_t i = total - std::min<uint64_t>(total, kMaxIntervals);
         i < total; ++i) {
      if (i < closed_) {
        f(ring_[i % kMaxIntervals]);
      } else if (i == closed_) {
        f(OpenPoint(kIntervalNs));
      } else {
        f(EmptyPoint(i, kIntervalNs));
      }
    }
    if (!open_) return;
    const int64_t width =
        now_ns - open_start_ns_ - static_cast<int64_t>(ended) * kIntervalNs;
    if (ended == 0) {
      if (width > 0 || open_point_.done > 0) {
        f(OpenPoint(std::max<int64_t>(width, 0)));
      }
    } else if (width > 0) {
      f(EmptyPoint(total, width));
    }
  }

  // How many intervals ForEachPoint(now_ns) leaves out at the start: the first
  // one it shows starts at Dropped(now_ns) * kIntervalMs.
  uint64_t Dropped(int64_t now_ns) const {
    const uint64_t total = closed_ + EndedBy(now_ns);
    return total - std::min<uint64_t>(total, kMaxIntervals);
  }

  // Every query recorded since Begin, in any interval, kept or dropped.
  uint64_t done() const { return done_; }
  bool open() const { return open_; }

 private:
  // Intervals after the open one that ended by now_ns, counting the open one;
  // 0 unless running.
  uint64_t EndedBy(int64_t now_ns) const {
    if (!open_ || now_ns < open_start_ns_ + kIntervalNs) return 0;
    return static_cast<uint64_t>((now_ns - open_start_ns_) / kIntervalNs);
  }
  void CloseThrough(int64_t now_ns);
  void Count(Outcome outcome, uint64_t count) {
    done_ += count;
    open_point_.done += count;
    switch (outcome) {
      case Outcome::kHit:
        open_point_.hits += count;
        break;
      case Outcome::kMiss:
        open_point_.misses += count;
        break;
      case Outcome::kCoalesced:
        open_point_.coalesced += count;
        break;
      case Outcome::kWrite:
        open_point_.writes += count;
        break;
      case Outcome::kError:
        open_point_.errors += count;
        break;
    }
  }
  // The open interval as a point of width_ns, its quantiles from latency_.
  Point OpenPoint(int64_t width_ns) const;
  static Point EmptyPoint(uint64_t index, int64_t width_ns);
  void Push(const Point& point);

  std::vector<Point> ring_;  // closed interval i at i % kMaxIntervals
  uint64_t closed_ = 0;      // intervals closed since Begin, dropped included
  bool open_ = false;
  int64_t open_start_ns_ = 0;
  Point open_point_;          // the open interval's counts
  LatencyHistogram latency_;  // the open interval's latencies
  uint64_t done_ = 0;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_INTERVAL_SERIES_H_
