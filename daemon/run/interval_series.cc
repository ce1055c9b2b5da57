#include "daemon/run/interval_series.h"

namespace dbcache::run {

IntervalSeries::IntervalSeries() : ring_(kMaxIntervals) {}

void IntervalSeries::Begin(int64_t start_ns) {
  closed_ = 0;
  open_ = true;
  open_start_ns_ = start_ns;
  open_point_ = Point();
  latency_.Reset();
  done_ = 0;
}

void IntervalSeries::RecordUntimed(int64_t now_ns, Outcome outcome,
                                   uint64_t count) {
  if (!open_ || count == 0) return;
  if (now_ns >= open_start_ns_ + kIntervalNs) CloseThrough(now_ns);
  Count(outcome, count);
}

void IntervalSeries::Finish(int64_t end_ns) {
  if (!open_) return;
  if (end_ns >= open_start_ns_ + kIntervalNs) CloseThrough(end_ns);
  const int64_t width = end_ns - open_start_ns_;
  // A run that ends on an interval's boundary has no partial interval, unless
  // a query completed at that very instant.
  if (width > 0 || open_point_.done > 0) {
    Push(OpenPoint(std::max<int64_t>(width, 0)));
  }
  open_ = false;
}

void IntervalSeries::CloseThrough(int64_t now_ns) {
  const uint64_t ended = EndedBy(now_ns);
  uint64_t empty = ended - 1;
  if (ended > kMaxIntervals) {
    // Only the last kMaxIntervals of the intervals that ended stay in the
    // ring, all of them empty: the others, the open one among them, are
    // counted as dropped without being written, so that a stall of an hour
    // costs no more than one of a minute.
    closed_ += ended - kMaxIntervals;
    empty = kMaxIntervals;
  } else {
    Push(OpenPoint(kIntervalNs));
  }
  for (uint64_t i = 0; i < empty; ++i) Push(EmptyPoint(closed_, kIntervalNs));
  open_start_ns_ += static_cast<int64_t>(ended) * kIntervalNs;
  open_point_ = Point();
  // An empty histogram is already clear; skip the 40 KB fill.
  if (latency_.count() > 0) latency_.Reset();
}

IntervalSeries::Point IntervalSeries::OpenPoint(int64_t width_ns) const {
  Point point = open_point_;
  point.t_ms = static_cast<int64_t>(closed_) * kIntervalMs;
  point.ms = static_cast<double>(width_ns) / 1e6;
  point.timed = latency_.count();
  if (point.timed > 0) {
    point.p50_us = latency_.Percentile(50) / 1000.0;
    point.p99_us = latency_.Percentile(99) / 1000.0;
  }
  return point;
}

IntervalSeries::Point IntervalSeries::EmptyPoint(uint64_t index,
                                                 int64_t width_ns) {
  Point point;
  point.t_ms = static_cast<int64_t>(index) * kIntervalMs;
  point.ms = static_cast<double>(width_ns) / 1e6;
  return point;
}

void IntervalSeries::Push(const Point& point) {
  ring_[closed_ % kMaxIntervals] = point;
  ++closed_;
}

}  // namespace dbcache::run
