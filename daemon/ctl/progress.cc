#include "daemon/ctl/progress.h"

#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "daemon/common/str_cat.h"

namespace dbcache::ctl {
namespace {

constexpr absl::Duration kBarInterval = absl::Milliseconds(100);
constexpr absl::Duration kLineInterval = absl::Seconds(5);
constexpr int kBarWidth = 30;

std::string FormatEta(absl::Duration d) {
  const int64_t seconds = absl::ToInt64Seconds(d);
  if (seconds >= 3600) {
    return absl::StrFormat("%dh%02dm", seconds / 3600, seconds / 60 % 60);
  }
  return absl::StrFormat("%dm%02ds", seconds / 60, seconds % 60);
}

}  // namespace

Progress::Progress(std::FILE* out, std::string_view label, int64_t total)
    : Progress(out, label, total, isatty(fileno(out)) == 1) {}

Progress::Progress(std::FILE* out, std::string_view label, int64_t total,
                   bool interactive)
    : out_(out),
      label_(label),
      total_(std::max<int64_t>(total, 1)),
      interactive_(interactive),
      start_(absl::Now()),
      next_draw_(start_ + (interactive ? kBarInterval : kLineInterval)) {}

Progress::~Progress() { EndBar(); }

void Progress::Update(int64_t done) {
  const absl::Time now = absl::Now();
  if (now < next_draw_) return;
  next_draw_ = now + (interactive_ ? kBarInterval : kLineInterval);
  Draw(done, now);
}

void Progress::Done(int64_t done) {
  if (interactive_) Draw(done, absl::Now());
  EndBar();
}

void Progress::Note(std::string_view message) {
  EndBar();
  absl::FPrintF(out_, "%s\n", message);
  std::fflush(out_);
}

void Progress::Draw(int64_t done, absl::Time now) {
  const double fraction = std::clamp(
      static_cast<double>(done) / static_cast<double>(total_), 0.0, 1.0);
  const double seconds = std::max(absl::ToDoubleSeconds(now - start_), 1e-3);
  const double rate = static_cast<double>(done) / seconds;
  std::string eta = "--";
  if (rate > 0 && done < total_) {
    eta = FormatEta(absl::Seconds(static_cast<double>(total_ - done) / rate));
  }
  if (interactive_) {
    const int filled = static_cast<int>(fraction * kBarWidth);
    // \r and erase-line redraw the bar in place.
    absl::FPrintF(out_, "\r\033[K%s [%s%s] %3d%% %d/%d %s, %.0f %s/s, ETA %s",
                  label_, std::string(filled, '#'),
                  std::string(kBarWidth - filled, '.'),
                  static_cast<int>(fraction * 100), done, total_, unit_, rate,
                  unit_, eta);
    bar_shown_ = true;
  } else {
    absl::FPrintF(out_, "%s: %d/%d %s (%d%%), %.0f %s/s, ETA %s\n", label_,
                  done, total_, unit_, static_cast<int>(fraction * 100), rate,
                  unit_, eta);
  }
  std::fflush(out_);
}

void Progress::EndBar() {
  if (!bar_shown_) return;
  std::fputc('\n', out_);
  std::fflush(out_);
  bar_shown_ = false;
}

}  // namespace dbcache::ctl
