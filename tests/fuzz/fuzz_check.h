#ifndef DBCACHE_TESTS_FUZZ_FUZZ_CHECK_H_
#define DBCACHE_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace dbcache::fuzz {

// Reports a broken property and aborts. libFuzzer turns the abort into a crash
// with the input saved; the replay test (replay_test.cc) dies the same way,
// after printing which file it was replaying, so ctest shows both.
//
//   FUZZ_CHECK(decoded.ok() == validated.ok(), "decode and validate disagree");
[[noreturn]] inline void Fail(const char* file, int line, const char* condition,
                              std::string_view detail) {
  std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n  %.*s\n", file, line,
               condition, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace dbcache::fuzz

// A macro so that the report names the line and the condition as written.
#define FUZZ_CHECK(condition, detail)                                  \
  do {                                                                 \
    if (!(condition)) {                                                \
      ::dbcache::fuzz::Fail(__FILE__, __LINE__, #condition, (detail)); \
    }                                                                  \
  } while (false)

#endif  // DBCACHE_TESTS_FUZZ_FUZZ_CHECK_H_
