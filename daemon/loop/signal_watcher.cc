#include "daemon/loop/signal_watcher.h"

namespace dbcache::loop {

SignalWatcher::SignalWatcher(EventLoop& loop, int signal_number,
                             absl::AnyInvocable<void()> handler)
    : handler_(std::move(handler)),
      event_(evsignal_new(loop.base(), signal_number, &SignalWatcher::OnSignal,
                          this)) {
  evsignal_add(event_.get(), nullptr);
}

void SignalWatcher::OnSignal(evutil_socket_t, short, void* arg) {
  static_cast<SignalWatcher*>(arg)->handler_();
}

}  // namespace dbcache::loop
