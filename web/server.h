#ifndef DBCACHE_WEB_SERVER_H_
#define DBCACHE_WEB_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/run/control_command.h"
#include "web/control_publisher.h"
#include "web/rate_limiter.h"
#include "web/stats_reader.h"

namespace dbcache::web {

struct ServerOptions {
  // Bearer token POST endpoints require; empty: none (loopback only, or
  // --allow_unauthenticated).
  std::string token;
  // Worker threads. httplib serves a connection on one thread for as long as
  // it is kept alive, so this is how many browsers can poll at once; more
  // wait for a thread until a kept-alive connection ends (kKeepAliveRequests,
  // kKeepAliveTimeout).
  int threads = 32;
  // Runs POST /api/runs may start per minute, in bursts of up to a sixth of
  // that; more are answered 429.
  int run_starts_per_minute = 60;
  // Names besides IP addresses and localhost that Host may carry (see
  // HostAllowed): anything else is answered 403, against DNS rebinding.
  std::vector<std::string> allowed_hosts;
  // How long POST /api/runs waits for the daemon's word (run_started or an
  // error) before answering 503.
  absl::Duration run_start_timeout = absl::Seconds(10);
};

// dbcache-web's HTTP server: the page (assets embedded in the binary) and the
// JSON API.
//
//   GET  /                         the status page (and its /app.js, ...)
//   GET  /api/status               stats + heartbeat + query log, for the page
//   GET  /api/stats                <prefix>stats, or {"state":"none"}
//   GET  /api/runs                 {"runs": [...]}, newest first
//   GET  /api/log                  {"entries": [...]}, newest first
//   POST /api/runs                 start a run: 202 {"id":...} once the daemon
//                                  says it started; 400 (names the field, or
//                                  the daemon refused it), 409 (a run is
//                                  going), 413, 415, 429 (too many starts),
//                                  503 (no daemon, or no word from it)
//   POST /api/runs/current/cancel  202, or 503 when no daemon is listening
//   GET  /healthz                  200 when the reader answers and a daemon
//                                  heartbeat is present, else 503
//   GET  /metrics                  Prometheus text format
//
// Errors are JSON {"error": "..."}; unknown paths 404, known paths with
// another method 405. Reads are served from StatsReader's shared snapshot.
// The transport is cpp-httplib's Server with a pool of `threads` threads.
//
//   WebServer server(options, &reader, &publisher);
//   absl::StatusOr<int> port = server.Bind("127.0.0.1", 8080);
//   if (!port.ok()) return Fail(port.status());
//   server.Serve();  // Until another thread calls server.Stop().
class WebServer {
 public:
  WebServer(ServerOptions options, StatsReader* reader,
            ControlPublisher* publisher);

  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // A kept-alive connection is closed after this many requests or this long
  // idle, so that browsers beyond `threads` get a turn and Stop() does not
  // wait long for idle pages.
  static constexpr size_t kKeepAliveRequests = 100;
  static constexpr time_t kKeepAliveTimeoutSeconds = 2;

  // Binds the listening socket; returns the port (useful when `port` is 0).
  absl::StatusOr<int> Bind(const std::string& host, int port);

  // Accepts and serves connections until Stop(). Call after Bind().
  absl::Status Serve();

  // Makes Serve() return once the connections being served end (at most
  // kKeepAliveTimeoutSeconds for an idle one). Thread-safe, effective even
  // before Serve() starts; not async-signal-safe (call it from a thread that
  // waited for the signal).
  void Stop();

 private:
  using Request = httplib::Request;
  using Response = httplib::Response;
  using Handler = void (WebServer::*)(const Request&, Response&);
  struct Route {
    std::string_view method;
    std::string_view path;
    Handler handler;
  };
  struct Asset {
    std::string_view content_type;
    std::string_view body;
    std::string etag;
  };

  void Dispatch(const Request& request, Response& response);

  void GetAsset(const Request& request, Response& response, const Asset& asset);
  void GetStatus(const Request& request, Response& response);
  void GetStats(const Request& request, Response& response);
  void GetRuns(const Request& request, Response& response);
  void GetSweeps(const Request& request, Response& response);
  void GetLog(const Request& request, Response& response);
  void GetHealth(const Request& request, Response& response);
  void GetMetrics(const Request& request, Response& response);
  void GetCompares(const Request& request, Response& response);
  // GET /api/compares/<id>: one record, its series included.
  void GetCompare(const Request& request, Response& response,
                  std::string_view id);
  void PostRun(const Request& request, Response& response);
  void PostCompare(const Request& request, Response& response);
  // A run or compare asked for by POST, answered by the daemon's word.
  void Start(const Request& request, Response& response, run::CommandKind kind);
  void PostCancel(const Request& request, Response& response);

  // Checks what every POST needs: the bearer token when one is configured and,
  // against cross-site request forgery, a same-origin Origin header when the
  // browser sent one. Answers and returns false when the request must stop.
  bool AllowPost(const Request& request, Response& response);

  const ServerOptions options_;
  StatsReader* const reader_;
  ControlPublisher* const publisher_;
  std::map<std::string, Asset, std::less<>> assets_;
  RateLimiter run_starts_;
  static const Route kRoutes[];
  httplib::Server server_;
  // The listening socket, as httplib's socket-options hook saw it.
  int listen_fd_ = -1;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> serving_{false};
};

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_SERVER_H_
