#include "daemon/redis/libevent_adapter.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <unistd.h>

#include <algorithm>

// Exported by libhiredis (0.14 and 1.x) but declared only in its sources: the
// step of redisAsyncHandleRead that hands the parsed replies to their
// callbacks.
extern "C" void redisProcessCallbacks(redisAsyncContext* ac);

namespace dbcache::redis {
namespace {

// What is fed to the reader at a time; see the header.
constexpr size_t kFeedChunk = 1024;
// hiredis reads this much at a time too.
constexpr size_t kReadSize = 16 * 1024;

struct Adapter {
  redisAsyncContext* context = nullptr;
  event* read_event = nullptr;   // persistent
  event* write_event = nullptr;  // one-shot
  bool reading = false;
  // A write is wanted; it is either activated for the end of this loop pass
  // (write_active) or armed for EV_WRITE (write_armed).
  bool write_active = false;
  bool write_armed = false;
  bool in_write = false;
  bool want_write = false;
  // Points at a flag on the stack of a callback that is running hiredis code
  // which may free the context (and this adapter with it).
  bool* alive = nullptr;
};

bool Connected(const redisAsyncContext* ac) {
  return (ac->c.flags & REDIS_CONNECTED) != 0;
}

void OnReadable(evutil_socket_t fd, short, void* arg) {
  auto* a = static_cast<Adapter*>(arg);
  redisAsyncContext* ac = a->context;
  if (!Connected(ac) || ac->c.reader == nullptr) {
    redisAsyncHandleRead(ac);
    return;
  }
  char buffer[kReadSize];
  const ssize_t n = read(fd, buffer, sizeof(buffer));
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    return;
  }
  if (n <= 0) {
    // The end of the connection, or an error: hiredis reads again, meets the
    // same, and reports and disconnects as it always does.
    redisAsyncHandleRead(ac);
    return;
  }
  bool alive = true;
  a->alive = &alive;
  for (size_t offset = 0; offset < static_cast<size_t>(n);
       offset += kFeedChunk) {
    const size_t length = std::min(kFeedChunk, static_cast<size_t>(n) - offset);
    redisReaderFeed(ac->c.reader, buffer + offset, length);
    // Hands out every reply the piece completed; a reader error disconnects
    // (and frees) the context here.
    redisProcessCallbacks(ac);
    if (!alive) return;
  }
  a->alive = nullptr;
}

void ArmWrite(Adapter* a) {
  if (a->write_armed) return;
  a->write_armed = true;
  event_add(a->write_event, nullptr);
}

void OnWritable(evutil_socket_t, short, void* arg) {
  auto* a = static_cast<Adapter*>(arg);
  a->write_active = false;
  a->write_armed = false;
  a->want_write = false;
  a->in_write = true;
  bool alive = true;
  a->alive = &alive;
  redisAsyncHandleWrite(a->context);
  if (!alive) return;
  a->alive = nullptr;
  a->in_write = false;
  // hiredis asked for more while writing: the socket is full (or still
  // connecting), so wait until it is writable.
  if (a->want_write) ArmWrite(a);
}

void AddRead(void* privdata) {
  auto* a = static_cast<Adapter*>(privdata);
  if (a->reading) return;
  a->reading = true;
  event_add(a->read_event, nullptr);
}

void DelRead(void* privdata) {
  auto* a = static_cast<Adapter*>(privdata);
  if (!a->reading) return;
  a->reading = false;
  event_del(a->read_event);
}

void AddWrite(void* privdata) {
  auto* a = static_cast<Adapter*>(privdata);
  a->want_write = true;
  if (a->in_write) return;  // decided when the write returns
  if (!Connected(a->context)) {
    // A connect in progress: only EV_WRITE says when it is done.
    ArmWrite(a);
    return;
  }
  if (a->write_active || a->write_armed) return;
  // Written once this loop pass has queued all it will.
  a->write_active = true;
  event_active(a->write_event, EV_WRITE, 1);
}

void DelWrite(void* privdata) {
  auto* a = static_cast<Adapter*>(privdata);
  a->want_write = false;
  a->write_active = false;
  a->write_armed = false;
  event_del(a->write_event);
}

void Cleanup(void* privdata) {
  auto* a = static_cast<Adapter*>(privdata);
  if (a->alive != nullptr) *a->alive = false;
  event_free(a->read_event);
  event_free(a->write_event);
  delete a;
}

}  // namespace

int AttachToLibevent(redisAsyncContext* context, event_base* base) {
  if (context->ev.data != nullptr) return REDIS_ERR;
  auto* a = new Adapter;
  a->context = context;
  const evutil_socket_t fd = context->c.fd;
  a->read_event = event_new(base, fd, EV_READ | EV_PERSIST, OnReadable, a);
  a->write_event = event_new(base, fd, EV_WRITE, OnWritable, a);
  if (a->read_event == nullptr || a->write_event == nullptr) {
    if (a->read_event != nullptr) event_free(a->read_event);
    if (a->write_event != nullptr) event_free(a->write_event);
    delete a;
    return REDIS_ERR;
  }
  context->ev.addRead = AddRead;
  context->ev.delRead = DelRead;
  context->ev.addWrite = AddWrite;
  context->ev.delWrite = DelWrite;
  context->ev.cleanup = Cleanup;
  context->ev.data = a;
  return REDIS_OK;
}

}  // namespace dbcache::redis
