#include "daemon/loop/libevent_scheduler.h"

#include <time.h>

#include "absl/time/clock.h"

namespace dbcache::loop {
namespace {

class LibeventTimer : public Timer {
 public:
  LibeventTimer(event_base* base, absl::AnyInvocable<void()> fire)
      : fire_(std::move(fire)),
        event_(evtimer_new(base, &LibeventTimer::OnFire, this)) {}

  void Enable(absl::Duration delay) override {
    const timeval tv = DurationToTimeval(delay);
    evtimer_add(event_.get(), &tv);
  }
  void Disable() override { evtimer_del(event_.get()); }
  bool enabled() const override {
    return evtimer_pending(event_.get(), nullptr) != 0;
  }

 private:
  static void OnFire(evutil_socket_t, short, void* arg) {
    static_cast<LibeventTimer*>(arg)->fire_();
  }

  absl::AnyInvocable<void()> fire_;
  EventPtr event_;
};

}  // namespace

timeval DurationToTimeval(absl::Duration d) {
  if (d < absl::ZeroDuration()) d = absl::ZeroDuration();
  return absl::ToTimeval(d);
}

int64_t LibeventScheduler::NowNanos() const {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

absl::Time LibeventScheduler::WallNow() const { return absl::Now(); }

std::unique_ptr<Timer> LibeventScheduler::CreateTimer(
    absl::AnyInvocable<void()> fire) {
  return std::make_unique<LibeventTimer>(loop_.base(), std::move(fire));
}

}  // namespace dbcache::loop
