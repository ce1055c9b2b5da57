#include "daemon/run/interval_series.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "daemon/run/histogram.h"
#include "gtest/gtest.h"
#include "tests/unit/support/allocation_counter.h"

namespace dbcache::run {
namespace {

using Point = IntervalSeries::Point;

constexpr int64_t kMs = 1'000'000;
// Not 0, so that a t_ms taken from the clock instead of from the start shows.
constexpr int64_t kStart = 7'777 * kMs;
constexpr int64_t kHourNs = 3'600'000 * kMs;

std::vector<Point> Points(const IntervalSeries& series, int64_t now_ns) {
  std::vector<Point> points;
  series.ForEachPoint(now_ns, [&](const Point& p) { points.push_back(p); });
  return points;
}

uint64_t OutcomeSum(const Point& p) {
  return p.hits + p.misses + p.coalesced + p.writes + p.errors;
}

// A scripted clock: each query completes at its own offset from kStart.
struct Event {
  int64_t at_ns;
  Outcome outcome;
  uint64_t total_ns;
};

TEST(IntervalSeriesTest, OnePointPerIntervalAndTheCountsAddUp) {
  const std::vector<Event> events = {
      // Interval 0, [0, 100) ms, its last nanosecond included.
      {0, Outcome::kHit, 10'000},
      {10 * kMs, Outcome::kHit, 20'000},
      {50 * kMs, Outcome::kMiss, 900'000},
      {100 * kMs - 1, Outcome::kHit, 30'000},
      // Interval 1 starts exactly at 100 ms.
      {100 * kMs, Outcome::kCoalesced, 400'000},
      // Interval 2 has nothing.
      {350 * kMs, Outcome::kWrite, 2'000'000},
      {399 * kMs, Outcome::kError, 5'000},
      // The partial interval 4: [400, 420.5) ms.
      {410 * kMs, Outcome::kHit, 15'000},
  };
  IntervalSeries series;
  series.Begin(kStart);
  for (const Event& e : events) {
    series.Record(kStart + e.at_ns, e.outcome, e.total_ns);
  }
  series.Finish(kStart + 420 * kMs + kMs / 2);

  const std::vector<Point> points = Points(series, 0);
  ASSERT_EQ(points.size(), 5u);
  const std::vector<int64_t> t_ms = {0, 100, 200, 300, 400};
  const std::vector<double> ms = {100, 100, 100, 100, 20.5};
  const std::vector<uint64_t> done = {4, 1, 0, 2, 1};
  uint64_t total = 0;
  uint64_t hits = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(points[i].t_ms, t_ms[i]);
    EXPECT_DOUBLE_EQ(points[i].ms, ms[i]);
    EXPECT_EQ(points[i].done, done[i]);
    EXPECT_EQ(OutcomeSum(points[i]), points[i].done);
    EXPECT_EQ(points[i].timed, points[i].done);
    total += points[i].done;
    hits += points[i].hits;
  }
  EXPECT_EQ(total, events.size());
  EXPECT_EQ(series.done(), events.size());
  EXPECT_EQ(hits, 4u);
  EXPECT_EQ(points[0].hits, 3u);
  EXPECT_EQ(points[0].misses, 1u);
  EXPECT_EQ(points[1].coalesced, 1u);
  EXPECT_EQ(points[3].writes, 1u);
  EXPECT_EQ(points[3].errors, 1u);
  EXPECT_EQ(points[4].hits, 1u);
  // The empty interval is there, with no quantiles.
  EXPECT_EQ(points[2].done, 0u);
  EXPECT_EQ(points[2].timed, 0u);
  EXPECT_EQ(points[2].p50_us, 0);
  EXPECT_EQ(points[2].p99_us, 0);
  // One query: both quantiles are its latency, exactly.
  EXPECT_DOUBLE_EQ(points[1].p50_us, 400.0);
  EXPECT_DOUBLE_EQ(points[1].p99_us, 400.0);
  // Four: p99 is the largest, and p50 the second of them.
  EXPECT_DOUBLE_EQ(points[0].p99_us, 900.0);
  EXPECT_NEAR(points[0].p50_us, 20.0, 0.2);
  EXPECT_EQ(series.Dropped(0), 0u);
}

TEST(IntervalSeriesTest, QuantilesAreThoseOfEachIntervalsOwnValues) {
  // Three intervals of very different latencies: a quantile that leaked from
  // one interval into the next would be far off.
  std::mt19937_64 rng(11);
  const std::vector<double> medians_ns = {200'000, 5'000'000, 20'000};
  IntervalSeries series;
  series.Begin(kStart);
  std::vector<LatencyHistogram> expected(medians_ns.size());
  for (size_t interval = 0; interval < medians_ns.size(); ++interval) {
    std::lognormal_distribution<double> latency(std::log(medians_ns[interval]),
                                                0.8);
    for (int i = 0; i < 1000; ++i) {
      const auto ns = static_cast<uint64_t>(latency(rng));
      const int64_t at =
          static_cast<int64_t>(interval) * 100 * kMs + i * 90'000;
      series.Record(kStart + at, Outcome::kHit, ns);
      expected[interval].Record(ns);
    }
  }
  series.Finish(kStart + 300 * kMs);

  const std::vector<Point> points = Points(series, 0);
  ASSERT_EQ(points.size(), 3u);
  for (size_t i = 0; i < points.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(points[i].done, 1000u);
    EXPECT_DOUBLE_EQ(points[i].p50_us, expected[i].Percentile(50) / 1000.0);
    EXPECT_DOUBLE_EQ(points[i].p99_us, expected[i].Percentile(99) / 1000.0);
  }
  // The last interval's p99 is its own (about 126 µs), not the slow one's.
  EXPECT_LT(points[2].p99_us, 200.0);
  EXPECT_GT(points[1].p99_us, 10'000.0);
}

TEST(IntervalSeriesTest, KeepsTheLast600IntervalsAndCountsTheDropped) {
  constexpr int kIntervals = 1000;
  IntervalSeries series;
  series.Begin(kStart);
  uint64_t total = 0;
  for (int interval = 0; interval < kIntervals; ++interval) {
    // interval % 7 + 1 queries, so that each point says which interval it is.
    for (int i = 0; i <= interval % 7; ++i) {
      series.Record(kStart + interval * 100 * kMs + i * kMs, Outcome::kMiss,
                    1'000);
      ++total;
    }
  }
  // On a boundary: no partial interval.
  series.Finish(kStart + kIntervals * 100 * kMs);

  const std::vector<Point> points = Points(series, 0);
  ASSERT_EQ(points.size(), IntervalSeries::kMaxIntervals);
  EXPECT_EQ(series.Dropped(0), kIntervals - IntervalSeries::kMaxIntervals);
  EXPECT_EQ(points.front().t_ms, 400 * 100);
  EXPECT_EQ(points.back().t_ms, (kIntervals - 1) * 100);
  for (size_t i = 0; i < points.size(); ++i) {
    const int64_t interval = 400 + static_cast<int64_t>(i);
    ASSERT_EQ(points[i].t_ms, interval * 100) << i;
    ASSERT_EQ(points[i].done, static_cast<uint64_t>(interval % 7 + 1)) << i;
    ASSERT_EQ(points[i].misses, points[i].done) << i;
    ASSERT_DOUBLE_EQ(points[i].ms, 100) << i;
  }
  EXPECT_EQ(series.done(), total);
}

TEST(IntervalSeriesTest, AnHourLongStallJumpsAheadWithTheRightStarts) {
  IntervalSeries series;
  series.Begin(kStart);
  series.Record(kStart + 50 * kMs, Outcome::kHit, 1'000);
  // 36,000 intervals later.
  series.Record(kStart + kHourNs + 50 * kMs, Outcome::kMiss, 2'000);
  series.Finish(kStart + kHourNs + 120 * kMs);

  // Closed: intervals 0 .. 36,000, and the partial 36,001 of 20 ms; the last
  // 600 of them are kept.
  const std::vector<Point> points = Points(series, 0);
  ASSERT_EQ(points.size(), IntervalSeries::kMaxIntervals);
  EXPECT_EQ(series.Dropped(0), 36'002u - IntervalSeries::kMaxIntervals);
  EXPECT_EQ(points.front().t_ms, (36'002 - 600) * 100);
  EXPECT_EQ(points.back().t_ms, 3'600'100);
  EXPECT_DOUBLE_EQ(points.back().ms, 20);
  EXPECT_EQ(points.back().done, 0u);
  const Point& busy = points[points.size() - 2];
  EXPECT_EQ(busy.t_ms, 3'600'000);
  EXPECT_EQ(busy.done, 1u);
  EXPECT_EQ(busy.misses, 1u);
  for (size_t i = 0; i + 2 < points.size(); ++i) {
    ASSERT_EQ(points[i].done, 0u) << i;
    ASSERT_EQ(points[i].t_ms + 100, points[i + 1].t_ms) << i;
  }
  // The first interval's query went with the dropped intervals, but still
  // counts.
  EXPECT_EQ(series.done(), 2u);
}

TEST(IntervalSeriesTest, AStallOfACenturyCostsNoMoreThanTheRing) {
  // 3e10 intervals: closing them one by one would run for minutes and time
  // the test out; jumping ahead writes at most kMaxIntervals.
  constexpr int64_t kCenturyNs = 100 * 365 * 24 * kHourNs;
  IntervalSeries series;
  series.Begin(kStart);
  series.Record(kStart + 1, Outcome::kHit, 1'000);
  series.Record(kStart + kCenturyNs, Outcome::kHit, 1'000);
  const std::vector<Point> points = Points(series, kStart + kCenturyNs);
  const uint64_t ended = kCenturyNs / IntervalSeries::kIntervalNs;
  // The 600 closed ones and the open one, which has the second query.
  ASSERT_EQ(points.size(), IntervalSeries::kMaxIntervals + 1);
  EXPECT_EQ(series.Dropped(kStart + kCenturyNs),
            ended - IntervalSeries::kMaxIntervals);
  EXPECT_EQ(points.back().t_ms, static_cast<int64_t>(ended) * 100);
  EXPECT_EQ(points.back().done, 1u);
  EXPECT_EQ(points.back().ms, 0);
}

TEST(IntervalSeriesTest, ARunningSnapshotShowsTheIntervalsUpToNow) {
  IntervalSeries series;
  series.Begin(kStart);
  EXPECT_TRUE(Points(series, kStart).empty());
  series.Record(kStart + 50 * kMs, Outcome::kHit, 3'000);
  series.Record(kStart + 60 * kMs, Outcome::kHit, 5'000);

  // Still in the first interval: one partial point, 70 ms wide.
  std::vector<Point> points = Points(series, kStart + 70 * kMs);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].t_ms, 0);
  EXPECT_DOUBLE_EQ(points[0].ms, 70);
  EXPECT_EQ(points[0].done, 2u);
  EXPECT_DOUBLE_EQ(points[0].p99_us, 5.0);

  // Nothing completed for 280 ms: the intervals that ended show, closed and
  // empty, though no Record has closed them.
  points = Points(series, kStart + 350 * kMs);
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[0].done, 2u);
  EXPECT_DOUBLE_EQ(points[0].ms, 100);
  for (size_t i = 1; i < points.size(); ++i) {
    EXPECT_EQ(points[i].t_ms, static_cast<int64_t>(i) * 100);
    EXPECT_EQ(points[i].done, 0u);
  }
  EXPECT_DOUBLE_EQ(points[3].ms, 50);

  // What a later Record closes is what the snapshot showed.
  series.Record(kStart + 360 * kMs, Outcome::kWrite, 7'000);
  const std::vector<Point> after = Points(series, kStart + 370 * kMs);
  ASSERT_EQ(after.size(), 4u);
  EXPECT_EQ(after[0].done, 2u);
  EXPECT_EQ(after[1].done + after[2].done, 0u);
  EXPECT_EQ(after[3].writes, 1u);
  EXPECT_DOUBLE_EQ(after[3].ms, 70);
}

TEST(IntervalSeriesTest, UntimedQueriesCountButHaveNoQuantiles) {
  IntervalSeries series;
  series.Begin(kStart);
  series.Record(kStart + 10 * kMs, Outcome::kHit, 4'000);
  series.RecordUntimed(kStart + 150 * kMs, Outcome::kError, 3);
  series.Finish(kStart + 150 * kMs);
  const std::vector<Point> points = Points(series, 0);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[1].done, 3u);
  EXPECT_EQ(points[1].errors, 3u);
  EXPECT_EQ(points[1].timed, 0u);
  EXPECT_EQ(points[1].p99_us, 0);
  EXPECT_DOUBLE_EQ(points[1].ms, 50);
  EXPECT_EQ(series.done(), 4u);
}

TEST(IntervalSeriesTest, BeginForgetsThePreviousRunAndFinishHoldsStill) {
  IntervalSeries series;
  // Before Begin there is no run to count in.
  series.Record(5, Outcome::kHit, 1);
  EXPECT_EQ(series.done(), 0u);
  series.Begin(0);
  for (int i = 0; i < 700; ++i) {
    series.Record(i * 100 * kMs, Outcome::kHit, 1'000);
  }
  series.Finish(700 * 100 * kMs);
  // After Finish nothing moves, whatever the clock says.
  series.Record(800 * 100 * kMs, Outcome::kHit, 1'000);
  EXPECT_EQ(Points(series, kHourNs).size(), IntervalSeries::kMaxIntervals);
  EXPECT_EQ(series.done(), 700u);

  series.Begin(kStart);
  series.Record(kStart + 10, Outcome::kMiss, 9'000);
  series.Finish(kStart + 30 * kMs);
  const std::vector<Point> points = Points(series, 0);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].t_ms, 0);
  EXPECT_EQ(points[0].misses, 1u);
  EXPECT_EQ(points[0].hits, 0u);
  EXPECT_DOUBLE_EQ(points[0].p99_us, 9.0);
  EXPECT_EQ(series.Dropped(0), 0u);
}

TEST(IntervalSeriesTest, RecordDoesNotAllocate) {
  IntervalSeries series;
  series.Begin(kStart);
  testing::AllocationCounter counter;
  int64_t now = kStart;
  // Around the ring twice, closing thousands of intervals, then a stall.
  for (int i = 0; i < 130'000; ++i) {
    now += 1'000'000 + i % 7;
    series.Record(now, static_cast<Outcome>(i % 5), 1'000 + i);
  }
  series.Record(now + kHourNs, Outcome::kHit, 1'000);
  series.RecordUntimed(now + kHourNs + kMs, Outcome::kError, 2);
  series.Finish(now + kHourNs + 2 * kMs);
  EXPECT_EQ(counter.count(), 0);
  EXPECT_EQ(series.done(), 130'003u);
}

}  // namespace
}  // namespace dbcache::run
