#ifndef DBCACHE_WEB_HTTP_HTTP_SERVER_H_
#define DBCACHE_WEB_HTTP_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "web/http/http_message.h"

namespace dbcache::web::http {

// An HTTP/1.1 server on libevent's evhttp: `threads` event loops, each with
// its own evhttp, all accepting from one listening socket. A connection stays
// on the loop that accepted it, and its handler runs there, so a handler that
// blocks (a Redis round trip) holds up only that loop's connections.
//
// Why not a thread per connection: an open page keeps a keep-alive connection,
// and a thread waiting on it wakes up to poll; an event loop costs nothing
// while connections are idle and a few system calls per request while busy,
// CPU the measuring daemon next to it keeps (see docs/performance.md).
//
//   HttpServer server({.threads = 2, .handler = [](const HttpRequest& request,
//                                                  HttpResponse& response) {
//     response.SetBody("hello", "text/plain");
//   }});
//   absl::StatusOr<int> port = server.Bind("127.0.0.1", 0);
//   if (!port.ok()) return port.status();
//   server.Serve();  // Until another thread calls server.Stop().
//
// The process must ignore SIGPIPE (dbcache-web's main does): libevent writes
// with writev(2), and a client that hangs up mid-answer would otherwise kill
// it.
class HttpServer {
 public:
  using Handler = std::function<void(const HttpRequest&, HttpResponse&)>;

  struct Options {
    int threads = 2;
    // Requests with a larger body are refused by the transport itself (413);
    // the handler may apply a smaller limit of its own.
    size_t max_body = 1 << 20;
    // Request line plus headers; more is answered 400 or 413.
    size_t max_headers = 16 * 1024;
    // A connection that sends nothing (idle keep-alive, or a stalled request)
    // or does not read its answer for this long is closed.
    absl::Duration io_timeout = absl::Seconds(30);
    // Added to every answer the handler gives, unless it set the same name.
    std::vector<Header> default_headers = {};
    // Called for every request, on the loop thread that read it. Must not
    // throw; an exception is answered 500.
    Handler handler = nullptr;
  };

  explicit HttpServer(Options options);
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Creates the listening socket; returns its port (useful when `port` is 0).
  // `host` is a literal address or a name that resolves to one.
  absl::StatusOr<int> Bind(const std::string& host, int port);

  // Serves connections until Stop(). Call once, after Bind().
  absl::Status Serve();

  // Makes Serve() return: stops accepting at once and gives answers already
  // written a moment to reach their clients. Thread-safe, and effective even
  // before Serve() starts; not async-signal-safe.
  void Stop();

 private:
  struct Worker;
  struct Shared;

  std::unique_ptr<Shared> shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace dbcache::web::http

#endif  // DBCACHE_WEB_HTTP_HTTP_SERVER_H_
