#ifndef DBCACHE_DAEMON_LOOP_EVENT_LOOP_H_
#define DBCACHE_DAEMON_LOOP_EVENT_LOOP_H_

#include <event2/event.h>

#include <deque>
#include <memory>

#include "absl/functional/any_invocable.h"

namespace dbcache::loop {

struct EventBaseFree {
  void operator()(event_base* base) const { event_base_free(base); }
};
struct EventFree {
  void operator()(event* ev) const { event_free(ev); }
};
using EventBasePtr = std::unique_ptr<event_base, EventBaseFree>;
using EventPtr = std::unique_ptr<event, EventFree>;

// The daemon's single libevent event_base, plus Post(): a way to run code on
// the next loop iteration, outside the callback that is running now. That is
// how an object is destroyed "from inside" its own callback without ever being
// freed while on the stack.
//
//   EventLoop loop;
//   loop.Post([&] { connection.reset(); });  // after the current callback
//   loop.Run();                              // until Exit()
class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  event_base* base() const { return base_.get(); }

  // Runs until Exit() is called (or nothing is left to wait for).
  void Run();
  // Makes Run() return after the current callback. Safe from any callback.
  void Exit();
  // Queues `fn` to run on the next loop iteration, in the order posted.
  void Post(absl::AnyInvocable<void() &&> fn);
  // Destroys what is posted without running it, and what destroying it posts.
  // For an owner's destructor, before its members go: posted work refers to
  // them. The destructor does the same for what is posted later.
  void DiscardPosted();
  // Keeps `object` alive until the current callback has returned.
  template <typename T>
  void DeferDelete(std::unique_ptr<T> object) {
    Post([object = std::move(object)]() mutable { object.reset(); });
  }

 private:
  static void OnPosted(evutil_socket_t, short, void* arg);
  void RunPosted();

  EventBasePtr base_;
  EventPtr posted_event_;
  std::deque<absl::AnyInvocable<void() &&>> posted_;
};

}  // namespace dbcache::loop

#endif  // DBCACHE_DAEMON_LOOP_EVENT_LOOP_H_
