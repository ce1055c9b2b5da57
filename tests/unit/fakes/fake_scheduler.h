#ifndef DBCACHE_TESTS_UNIT_FAKES_FAKE_SCHEDULER_H_
#define DBCACHE_TESTS_UNIT_FAKES_FAKE_SCHEDULER_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "daemon/loop/scheduler.h"

namespace dbcache::testing {

// A Scheduler whose time moves only when the test says so; Advance() fires due
// timers in deadline order, as the real loop would.
//
//   FakeScheduler clock;
//   auto t = clock.CreateTimer([&] { fired = true; });
//   t->Enable(absl::Milliseconds(100));
//   clock.Advance(absl::Milliseconds(100));  // fired == true
class FakeScheduler : public loop::Scheduler {
 public:
  int64_t NowNanos() const override { return now_ns_; }
  absl::Time WallNow() const override {
    return absl::FromUnixSeconds(1'800'000'000) + absl::Nanoseconds(now_ns_);
  }

  std::unique_ptr<loop::Timer> CreateTimer(
      absl::AnyInvocable<void()> fire) override {
    auto timer = std::make_unique<FakeTimer>(this, std::move(fire));
    timers_.push_back(timer.get());
    return timer;
  }

  // Moves time forward by `d`, firing every timer that falls due on the way.
  void Advance(absl::Duration d) {
    const int64_t end = now_ns_ + absl::ToInt64Nanoseconds(d);
    while (true) {
      FakeTimer* next = nullptr;
      for (FakeTimer* t : timers_) {
        if (t->enabled_ && t->deadline_ns_ <= end &&
            (next == nullptr || t->deadline_ns_ < next->deadline_ns_)) {
          next = t;
        }
      }
      if (next == nullptr) break;
      now_ns_ = std::max(now_ns_, next->deadline_ns_);
      next->enabled_ = false;
      next->fire_();
    }
    now_ns_ = end;
  }

  int enabled_timers() const {
    return static_cast<int>(
        std::count_if(timers_.begin(), timers_.end(),
                      [](FakeTimer* t) { return t->enabled_; }));
  }

 private:
  class FakeTimer : public loop::Timer {
   public:
    FakeTimer(FakeScheduler* owner, absl::AnyInvocable<void()> fire)
        : owner_(owner), fire_(std::move(fire)) {}
    ~FakeTimer() override {
      auto& v = owner_->timers_;
      v.erase(std::remove(v.begin(), v.end(), this), v.end());
    }
    void Enable(absl::Duration delay) override {
      enabled_ = true;
      deadline_ns_ = owner_->now_ns_ +
                     std::max<int64_t>(0, absl::ToInt64Nanoseconds(delay));
    }
    void Disable() override { enabled_ = false; }
    bool enabled() const override { return enabled_; }

    FakeScheduler* owner_;
    absl::AnyInvocable<void()> fire_;
    bool enabled_ = false;
    int64_t deadline_ns_ = 0;
    friend class FakeScheduler;
  };

  int64_t now_ns_ = 1'000'000'000;
  std::vector<FakeTimer*> timers_;
};

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_UNIT_FAKES_FAKE_SCHEDULER_H_
