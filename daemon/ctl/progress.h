#ifndef DBCACHE_DAEMON_CTL_PROGRESS_H_
#define DBCACHE_DAEMON_CTL_PROGRESS_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace dbcache::ctl {

// Reports the progress of a long count on a stream (stderr): a bar redrawn in
// place at most ten times a second on a terminal, or a plain line every few
// seconds otherwise (a log, a pipe, CI), so that neither floods its reader.
//
//   Progress progress(stderr, "loading", rows);
//   for (int64_t i = 0; i < rows; ++i) {
//     ...
//     if (i % 1024 == 0) progress.Update(i);
//   }
//   progress.Done(rows);
//   progress.Note("building indexes");
class Progress {
 public:
  // `interactive`: draw a bar; defaults to whether `out` is a terminal.
  Progress(std::FILE* out, std::string_view label, int64_t total);
  Progress(std::FILE* out, std::string_view label, int64_t total,
           bool interactive);
  ~Progress();

  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Cheap when nothing is due: call it as often as convenient.
  void Update(int64_t done);
  // Draws the final state and ends the bar's line.
  void Done(int64_t done);
  // A line of its own (a new phase), not disturbing the bar.
  void Note(std::string_view message);
  // What is counted, as shown after the numbers ("rows" unless set).
  void set_unit(std::string_view unit) { unit_ = std::string(unit); }

 private:
  void Draw(int64_t done, absl::Time now);
  void EndBar();

  std::FILE* out_;
  std::string label_;
  int64_t total_;
  bool interactive_;
  absl::Time start_;
  absl::Time next_draw_;
  bool bar_shown_ = false;
  std::string unit_ = "rows";
};

}  // namespace dbcache::ctl

#endif  // DBCACHE_DAEMON_CTL_PROGRESS_H_
