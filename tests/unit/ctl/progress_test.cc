#include "daemon/ctl/progress.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Collects what a Progress writes.
class Capture {
 public:
  Capture() : file_(open_memstream(&data_, &size_)) {}
  ~Capture() {
    std::fclose(file_);
    std::free(data_);
  }
  std::FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(data_, size_);
  }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

TEST(ProgressTest, PlainOutputHasNoControlCharacters) {
  Capture capture;
  {
    Progress progress(capture.file(), "loading", 100, /*interactive=*/false);
    progress.Update(50);  // Within the first interval: nothing yet.
    progress.Done(100);
    progress.Note("building indexes");
  }
  EXPECT_EQ(capture.text(), "building indexes\n");
}

TEST(ProgressTest, InteractiveBarEndsItsLine) {
  Capture capture;
  {
    Progress progress(capture.file(), "loading", 100, /*interactive=*/true);
    progress.Done(100);
  }
  const std::string text = capture.text();
  EXPECT_THAT(text, HasSubstr("\r"));
  EXPECT_THAT(text, HasSubstr("100% 100/100 rows"));
  EXPECT_EQ(text.back(), '\n');
}

TEST(ProgressTest, NoteEndsTheBarFirst) {
  Capture capture;
  {
    Progress progress(capture.file(), "loading", 10, /*interactive=*/true);
    progress.Done(10);
    progress.Note("next phase");
  }
  EXPECT_THAT(capture.text(), HasSubstr("rows, "));
  EXPECT_THAT(capture.text(), HasSubstr("\nnext phase\n"));
  EXPECT_THAT(capture.text(), Not(HasSubstr("next phase\n\n")));
}

}  // namespace
}  // namespace dbcache::ctl
