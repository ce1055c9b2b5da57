#ifndef DBCACHE_DAEMON_REDIS_LIBEVENT_ADAPTER_H_
#define DBCACHE_DAEMON_REDIS_LIBEVENT_ADAPTER_H_

#include <event2/event.h>
#include <hiredis/async.h>

namespace dbcache::redis {

// Drives a hiredis async context from a libevent loop, in place of hiredis's
// own adapters/libevent.h, which costs three things per batch of replies at
// high concurrency (measured with strace and callgrind, docs/performance.md):
// - its events are one-shot, so every pass re-arms EV_READ and EV_WRITE with
//   epoll_ctl (4 calls per batch): here EV_READ is persistent;
// - a command is written only after another epoll_wait reports the socket
//   writable: here the commands a loop pass queues are written at the end of
//   that pass (event_active), and EV_WRITE is armed only when the socket is
//   full or still connecting;
// - it feeds hiredis 0.14's reader a whole 16 KiB read at once, and that
//   reader compacts its buffer (a memmove of what is left) after every reply
//   once 1 KiB is consumed: quadratic in the read, 31% of dbcached's
//   instructions at c=64 with ~1 KB values. Here a read is fed in 1 KiB pieces,
//   each processed before the next.
// Errors and the end of the connection are left to hiredis's own read path,
// so that they are reported and handled exactly as before.
//
//   redisAsyncContext* c = redisAsyncConnect(host, port);
//   if (AttachToLibevent(c, base) != REDIS_OK) { redisAsyncFree(c); ... }
int AttachToLibevent(redisAsyncContext* context, event_base* base);

}  // namespace dbcache::redis

#endif  // DBCACHE_DAEMON_REDIS_LIBEVENT_ADAPTER_H_
