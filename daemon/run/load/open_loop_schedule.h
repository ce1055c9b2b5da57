#ifndef DBCACHE_DAEMON_RUN_LOAD_OPEN_LOOP_SCHEDULE_H_
#define DBCACHE_DAEMON_RUN_LOAD_OPEN_LOOP_SCHEDULE_H_

#include <cstdint>

namespace dbcache::run {

// When each query of an open-loop run (rate=) is meant to start: query i at
// start + i / rate seconds, computed from i (never by adding intervals up), so
// a run of millions of queries does not drift by rounding. Queries start on
// this schedule whatever the replies do; one that finds every slot busy
// starts late, and its latency still counts from its intended start.
//
//   OpenLoopSchedule schedule(now_ns, /*rate=*/20000);
//   int64_t due = schedule.IntendedNs(i);
//   uint64_t n = schedule.DueBy(now_ns);  // queries whose time has come
class OpenLoopSchedule {
 public:
  OpenLoopSchedule(int64_t start_ns, uint64_t rate_per_s)
      : start_ns_(start_ns), rate_(rate_per_s == 0 ? 1 : rate_per_s) {}

  // In 128 bits: i * 1e9 overflows 64 bits past i = 1.8e10, which a long
  // run at a high rate reaches in DueBy.
  int64_t IntendedNs(uint64_t i) const {
    return start_ns_ + static_cast<int64_t>(static_cast<unsigned __int128>(i) *
                                            kNanosPerSecond / rate_);
  }
  // How many queries (0, 1, ...) are due at `now_ns`: the smallest i with
  // IntendedNs(i) > now_ns, at most `limit`.
  uint64_t DueBy(int64_t now_ns, uint64_t limit = UINT64_MAX / 2) const {
    if (now_ns < start_ns_) return 0;
    const uint64_t elapsed = static_cast<uint64_t>(now_ns - start_ns_);
    // i * 1e9 / rate <= elapsed  <=>  i <= (elapsed * rate + rate - 1) / 1e9
    // in integers; computed in 128 bits, elapsed * rate can exceed 64.
    const unsigned __int128 top =
        static_cast<unsigned __int128>(elapsed) * rate_ + rate_ - 1;
    const unsigned __int128 estimate = top / kNanosPerSecond;
    if (estimate >= limit) return limit;
    uint64_t i = static_cast<uint64_t>(estimate);
    // Adjust for the floor in IntendedNs, so that the two always agree.
    while (i < limit && IntendedNs(i) <= now_ns) ++i;
    while (i > 0 && IntendedNs(i - 1) > now_ns) --i;
    return i;
  }
  uint64_t rate() const { return rate_; }

 private:
  static constexpr uint64_t kNanosPerSecond = 1'000'000'000;
  int64_t start_ns_;
  uint64_t rate_;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_LOAD_OPEN_LOOP_SCHEDULE_H_
