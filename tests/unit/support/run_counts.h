#ifndef DBCACHE_TESTS_UNIT_SUPPORT_RUN_COUNTS_H_
#define DBCACHE_TESTS_UNIT_SUPPORT_RUN_COUNTS_H_

#include "daemon/run/run_engine.h"
#include "gtest/gtest.h"

namespace dbcache::testing {

// The identity a run keeps at every step, checked the same way in every unit
// test that runs queries: each issued query is either in flight or counted as
// exactly one outcome; a run that has ended has nothing in flight, and one
// that finished issued every query. (The integration tests check the same of
// snapshots: tests/integration/support/run_counts.h.)
//
//   Pump();
//   ExpectCountsAddUp(engine_);
inline void ExpectCountsAddUp(const run::RunEngine& engine) {
  const run::RunStats& s = engine.stats();
  const uint64_t in_flight = static_cast<uint64_t>(engine.in_flight());
  const uint64_t outcomes =
      s.hits() + s.misses() + s.coalesced() + s.writes() + s.errors();
  EXPECT_EQ(outcomes + in_flight, s.issued())
      << "hits " << s.hits() << ", misses " << s.misses() << ", coalesced "
      << s.coalesced() << ", writes " << s.writes() << ", errors " << s.errors()
      << ", in flight " << in_flight;
  EXPECT_EQ(s.done(), outcomes);
  uint64_t by_kind = 0;
  for (int k = 0; k < static_cast<int>(run::ErrorKind::kCount); ++k) {
    by_kind += s.errors(static_cast<run::ErrorKind>(k));
  }
  EXPECT_EQ(by_kind, s.errors());
  // Every query that ended is timed once, whatever its outcome (an abandoned
  // one never ended).
  EXPECT_EQ(s.end_to_end().count(),
            s.done() - s.errors(run::ErrorKind::kAbandoned));
  EXPECT_EQ(s.cache_hit().count(), s.hits());
  if (s.state() != run::RunState::kRunning) {
    EXPECT_EQ(in_flight, 0u);
  }
  if (s.state() == run::RunState::kFinished) {
    EXPECT_EQ(s.issued(), static_cast<uint64_t>(s.params().queries));
  }
}

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_UNIT_SUPPORT_RUN_COUNTS_H_
