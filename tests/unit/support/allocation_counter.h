#ifndef DBCACHE_TESTS_UNIT_SUPPORT_ALLOCATION_COUNTER_H_
#define DBCACHE_TESTS_UNIT_SUPPORT_ALLOCATION_COUNTER_H_

#include <cstdint>

namespace dbcache::testing {

// Heap allocations (calls of the global operator new) made by this thread so
// far. Linking dbcache_allocation_counter replaces the global operator new
// and delete to count them, which a program may do only once: a test binary
// that uses this holds only tests that can live with it.
int64_t ThreadAllocations();

// Counts the heap allocations this thread makes while it lives, to prove that
// a hot path makes none.
//
//   AllocationCounter counter;
//   histogram.Record(42);
//   EXPECT_EQ(counter.count(), 0);
class AllocationCounter {
 public:
  AllocationCounter() : start_(ThreadAllocations()) {}
  int64_t count() const { return ThreadAllocations() - start_; }

 private:
  int64_t start_;
};

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_UNIT_SUPPORT_ALLOCATION_COUNTER_H_
