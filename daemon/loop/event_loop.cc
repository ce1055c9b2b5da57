#include "daemon/loop/event_loop.h"

#include <cstdlib>

#include "daemon/common/log.h"

namespace dbcache::loop {

EventLoop::EventLoop() : base_(event_base_new()) {
  if (base_ == nullptr) {
    LogError("event_base_new failed");
    std::abort();
  }
  posted_event_.reset(
      event_new(base_.get(), -1, 0, &EventLoop::OnPosted, this));
}

EventLoop::~EventLoop() {
  // Posted work may own objects whose destructors touch the loop: destroy it
  // while the loop is still whole. It is not run: whatever it would act on may
  // already be gone (the loop is its owner's first member, so destroyed last).
  posted_event_.reset();
  DiscardPosted();
}

void EventLoop::DiscardPosted() {
  // Destroying a closure may post another (the destructor of something it
  // owned): keep going until none is left.
  while (!posted_.empty()) {
    std::deque<absl::AnyInvocable<void() &&>> doomed;
    doomed.swap(posted_);
  }
}

void EventLoop::Run() { event_base_dispatch(base_.get()); }

void EventLoop::Exit() { event_base_loopbreak(base_.get()); }

void EventLoop::Post(absl::AnyInvocable<void() &&> fn) {
  posted_.push_back(std::move(fn));
  if (posted_event_ != nullptr && posted_.size() == 1) {
    event_active(posted_event_.get(), EV_TIMEOUT, 0);
  }
}

void EventLoop::OnPosted(evutil_socket_t, short, void* arg) {
  static_cast<EventLoop*>(arg)->RunPosted();
}

void EventLoop::RunPosted() {
  // Only what was queued before this pass runs now; work posted by it runs next
  // pass, so a callback that re-posts itself cannot starve the loop.
  std::deque<absl::AnyInvocable<void() &&>> batch;
  batch.swap(posted_);
  for (auto& fn : batch) std::move(fn)();
}

}  // namespace dbcache::loop
