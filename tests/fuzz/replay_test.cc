// Replays a fuzzer's seed corpus and its regression inputs through the
// fuzzer's own LLVMFuzzerTestOneInput, in the ordinary (gcc or clang) test
// builds, so every crash the fuzzers ever found stays fixed without clang or
// libFuzzer. Built once per fuzzer (tests/fuzz/CMakeLists.txt), with
// DBCACHE_FUZZ_CORPUS_DIR and (for a fuzzer that has found a bug)
// DBCACHE_FUZZ_REGRESSION_DIR naming that fuzzer's folders and
// DBCACHE_FUZZ_REPLAY_SUITE its test suite's name.
//
// A broken property aborts (see fuzz_check.h); the file being replayed is
// printed first so that the ctest output names it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace dbcache::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> InputFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

int ReplayDir(const fs::path& dir) {
  int count = 0;
  for (const fs::path& path : InputFiles(dir)) {
    const std::string input = ReadFile(path);
    std::fprintf(stderr, "replaying %s (%zu bytes)\n", path.c_str(),
                 input.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()),
                           input.size());
    ++count;
  }
  return count;
}

// TEST pastes its arguments unexpanded; one more macro level expands the
// suite name, which differs per fuzzer so that ctest names stay unique.
#define DBCACHE_REPLAY_TEST(suite, name) TEST(suite, name)

DBCACHE_REPLAY_TEST(DBCACHE_FUZZ_REPLAY_SUITE, SeedCorpusPasses) {
  ASSERT_TRUE(fs::is_directory(DBCACHE_FUZZ_CORPUS_DIR));
  // The corpus is committed; finding nothing means the path is wrong.
  EXPECT_GT(ReplayDir(DBCACHE_FUZZ_CORPUS_DIR), 0);
}

// Only fuzzers that ever found a bug have a regressions folder (the CMake
// table says which); one that has must replay at least one input from it, so
// that a moved or emptied folder fails instead of passing with nothing done.
#ifdef DBCACHE_FUZZ_REGRESSION_DIR
DBCACHE_REPLAY_TEST(DBCACHE_FUZZ_REPLAY_SUITE, RegressionInputsPass) {
  ASSERT_TRUE(fs::is_directory(DBCACHE_FUZZ_REGRESSION_DIR));
  EXPECT_GT(ReplayDir(DBCACHE_FUZZ_REGRESSION_DIR), 0)
      << "no regression input in " << DBCACHE_FUZZ_REGRESSION_DIR;
}
#endif

}  // namespace
}  // namespace dbcache::fuzz
