#include "tests/unit/support/allocation_counter.h"

#include <cstdlib>
#include <new>

namespace {
thread_local int64_t g_allocations = 0;
}  // namespace

// The replacements live in the same object file as ThreadAllocations(), so a
// test that uses AllocationCounter always links them in from the archive.
// noinline: once inlined, GCC pairs malloc() and free() with the callers' new
// and delete expressions and warns about a mismatch that is not there.
[[gnu::noinline]] void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace dbcache::testing {

int64_t ThreadAllocations() { return g_allocations; }

}  // namespace dbcache::testing
