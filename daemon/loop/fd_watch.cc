#include "daemon/loop/fd_watch.h"

#include "daemon/loop/libevent_scheduler.h"

namespace dbcache::loop {

FdWatch::FdWatch(EventLoop& loop, absl::AnyInvocable<void(short)> ready)
    : base_(loop.base()),
      ready_(std::move(ready)),
      event_(event_new(base_, -1, 0, &FdWatch::OnReady, this)) {}

FdWatch::~FdWatch() { Cancel(); }

void FdWatch::Wait(int fd, short events,
                   std::optional<absl::Duration> timeout) {
  // One event, re-assigned per wait (the fd changes on reconnect). event_assign
  // is allowed here because the event is never pending at this point: Cancel()
  // removes it, and a non-persistent event that fired is no longer pending in
  // its callback.
  Cancel();
  event_assign(event_.get(), base_, fd, events, &FdWatch::OnReady, this);
  if (timeout.has_value()) {
    const timeval tv = DurationToTimeval(*timeout);
    event_add(event_.get(), &tv);
  } else {
    event_add(event_.get(), nullptr);
  }
  waiting_ = true;
}

void FdWatch::Cancel() {
  if (waiting_) event_del(event_.get());
  waiting_ = false;
}

void FdWatch::OnReady(evutil_socket_t, short what, void* arg) {
  auto* self = static_cast<FdWatch*>(arg);
  self->waiting_ = false;
  self->ready_(what);
}

}  // namespace dbcache::loop
