#include "web/server.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <functional>
#include <thread>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "daemon/common/log.h"
#include "daemon/common/str_cat.h"
#include "daemon/run/control_command.h"
#include "web/assets.h"
#include "web/host_check.h"
#include "web/json_util.h"
#include "web/metrics.h"
#include "web/requests.h"

namespace dbcache::web {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kJsonType = "application/json";
constexpr std::string_view kMetricsType =
    "text/plain; version=0.0.4; charset=utf-8";

// 'self' only: the page loads nothing from anywhere else, runs no inline
// script or style, and may not be framed.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

using HttpRequest = httplib::Request;
using HttpResponse = httplib::Response;

void SendJson(HttpResponse& response, int status, const std::string& body) {
  response.status = status;
  // API answers describe a moment; a cached one would show a stale run.
  response.set_header("Cache-Control", "no-store");
  response.set_content(body, std::string(kJsonType));
}

void SendError(HttpResponse& response, const HttpError& error) {
  SendJson(response, error.status, error.Body());
}

void SendError(HttpResponse& response, int status, std::string_view message) {
  SendJson(response, status, ErrorBody(message));
}

std::string HexHash(std::string_view data) {
  // FNV-1a: stable across runs and builds, unlike std::hash, so that an ETag
  // stays valid when the same binary restarts.
  uint64_t hash = 0xcbf29ce484222325ull;
  for (char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return absl::StrFormat("%016x", hash);
}

// What httplib answers by itself (a request it could not parse, a body over
// its limit), in words, for the JSON error body.
std::string_view TransportErrorText(int status) {
  switch (status) {
    case 400:
      return "malformed HTTP request";
    case 404:
      return "no such resource";
    case 413:
      return "request body too large";
    case 414:
      return "request target too long";
    default:
      return "the request could not be served";
  }
}

std::string ReaderError(const absl::Status& status) {
  return StrCat("cannot read from the Redis reader: ", status.message());
}

// GET of a list the reader keeps (runs, sweeps): its body, or 503.
void SendList(HttpResponse& response,
              const absl::StatusOr<ListSnapshot>& list) {
  if (!list.ok()) {
    SendError(response, 503, ReaderError(list.status()));
    return;
  }
  SendJson(response, 200, list->body);
}

// "host:port" of an Origin header value such as "http://127.0.0.1:8080".
std::string_view OriginHostPort(std::string_view origin) {
  const size_t scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return "";
  origin.remove_prefix(scheme_end + 3);
  return origin.substr(0, origin.find('/'));
}

uint32_t RandomId() {
  thread_local absl::BitGen generator;
  return absl::Uniform<uint32_t>(generator);
}

// The status for a run the daemon refused: another run is going (busy) or it
// was cancelled before it started, 409; the daemon's parser or workload list
// refused it, 400; anything else (e.g. its MySQL failed while preparing the
// workload), 503.
int RefusalStatus(std::string_view daemon_error) {
  if (daemon_error == "busy" || daemon_error == "cancelled") return 409;
  if (daemon_error == "invalid" || daemon_error == "unknown_workload") {
    return 400;
  }
  return 503;
}

}  // namespace

const WebServer::Route WebServer::kRoutes[] = {
    {"GET", "/api/status", &WebServer::GetStatus},
    {"GET", "/api/stats", &WebServer::GetStats},
    {"GET", "/api/runs", &WebServer::GetRuns},
    {"GET", "/api/log", &WebServer::GetLog},
    {"GET", "/healthz", &WebServer::GetHealth},
    {"GET", "/metrics", &WebServer::GetMetrics},
    {"GET", "/api/compares", &WebServer::GetCompares},
    {"GET", "/api/sweeps", &WebServer::GetSweeps},
    {"POST", "/api/runs", &WebServer::PostRun},
    {"POST", "/api/compares", &WebServer::PostCompare},
    {"POST", "/api/runs/current/cancel", &WebServer::PostCancel},
};

WebServer::WebServer(ServerOptions options, StatsReader* reader,
                     ControlPublisher* publisher)
    : options_(std::move(options)),
      reader_(reader),
      publisher_(publisher),
      run_starts_(
          std::max(options_.run_starts_per_minute / 6, 1),
          absl::Minutes(1) / std::max(options_.run_starts_per_minute, 1)),
      server_() {
  const int threads = std::max(options_.threads, 1);
  server_.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  // httplib's default adds SO_REUSEPORT, with which a second dbcache-web on
  // the same port would start and silently take half the connections.
  server_.set_socket_options([this](int sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd_ = sock;
  });
  // httplib writes the head and the body apart; with Nagle the body waits
  // for the client's delayed ACK, 40 ms a request.
  server_.set_tcp_nodelay(true);
  server_.set_keep_alive_max_count(kKeepAliveRequests);
  server_.set_keep_alive_timeout(kKeepAliveTimeoutSeconds);
  server_.set_read_timeout(10);
  server_.set_write_timeout(10);
  // Past the API's own limit, so that up to here the 413 is the API's JSON;
  // only absurd bodies get httplib's.
  server_.set_payload_max_length(64 * kMaxRequestBody);
  server_.set_default_headers({
      {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
  });
  // Every request goes to Dispatch, which routes and answers 404 and 405
  // itself. Those without a body are taken before httplib's routing, which
  // would match each against a std::regex; a POST, PUT, PATCH or DELETE with
  // one after it, once httplib has read the body.
  server_.set_pre_routing_handler([this](const HttpRequest& request,
                                         HttpResponse& response) {
    // httplib 0.11 reads a chunked body whole, past its payload limit:
    // the API's bodies are small and sent with a length.
    if (request.has_header("Transfer-Encoding")) {
      SendError(response, 411,
                "send the body with Content-Length (chunked bodies are "
                "not accepted)");
      response.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    const bool has_body =
        request.get_header_value("Content-Length", 0).find_first_not_of('0') !=
        std::string::npos;
    if (!has_body) {
      Dispatch(request, response);
      return httplib::Server::HandlerResponse::Handled;
    }
    // httplib reads bodies of these only; another method's body would be
    // read as the next request on the connection.
    if (request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH" || request.method == "DELETE") {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    SendError(response, 400,
              StrCat(request.method, " requests carry no body here"));
    response.set_header("Connection", "close");
    return httplib::Server::HandlerResponse::Handled;
  });
  const httplib::Server::Handler dispatch = [this](const HttpRequest& request,
                                                   HttpResponse& response) {
    Dispatch(request, response);
  };
  server_.Post(".*", dispatch);
  server_.Put(".*", dispatch);
  server_.Patch(".*", dispatch);
  server_.Delete(".*", dispatch);
  // What httplib answers by itself is JSON like the rest of the API.
  server_.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const HttpRequest&, HttpResponse& response) {
        if (!response.body.empty()) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        SendError(response, response.status,
                  TransportErrorText(response.status));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_.set_exception_handler([](const HttpRequest& request,
                                   HttpResponse& response, std::exception_ptr) {
    LogError("%s %s: a handler threw; answered 500", request.method,
             request.path);
    SendError(response, 500, "internal error");
  });
  for (const EmbeddedAsset& asset : EmbeddedAssets()) {
    assets_.emplace(std::string(asset.path),
                    Asset{asset.content_type, asset.body,
                          StrCat("\"", HexHash(asset.body), "\"")});
  }
}

absl::StatusOr<int> WebServer::Bind(const std::string& host, int port) {
  errno = 0;
  const int bound = port == 0 ? server_.bind_to_any_port(host)
                              : (server_.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    // httplib says only that it failed; errno is bind(2)'s or getaddrinfo's.
    return absl::UnavailableError(
        absl::StrFormat("cannot listen on %s:%d: %s", host, port,
                        errno != 0 ? std::strerror(errno) : "no such address"));
  }
  // httplib 0.11 listens with a backlog of 5: twenty pages opening at once
  // overflow it, and the dropped SYNs are retried a second later. Linux
  // takes a second listen(2) as a new backlog.
  if (listen_fd_ >= 0 && ::listen(listen_fd_, SOMAXCONN) != 0) {
    LogWarning("cannot raise the listen backlog: %s", std::strerror(errno));
  }
  return bound;
}

absl::Status WebServer::Serve() {
  serving_ = true;
  if (stop_requested_) {
    serving_ = false;
    return absl::OkStatus();
  }
  const bool listened = server_.listen_after_bind();
  serving_ = false;
  if (!listened && !stop_requested_) {
    return absl::UnavailableError("the listening socket failed");
  }
  return absl::OkStatus();
}

void WebServer::Stop() {
  stop_requested_ = true;
  // httplib's stop() does nothing until listen_after_bind() runs, and the
  // signal can come in between Serve()'s check and that.
  while (serving_ && !server_.is_running()) std::this_thread::yield();
  server_.stop();
}

void WebServer::Dispatch(const HttpRequest& request, HttpResponse& response) {
  // HEAD is GET without the body, which the transport drops.
  const std::string_view method =
      request.method == "HEAD" ? std::string_view("GET") : request.method;
  const std::string_view path =
      request.path == "/" ? std::string_view("/index.html") : request.path;
  if (!HostAllowed(request.get_header_value("Host"), options_.allowed_hosts)) {
    SendError(response, 403,
              StrCat("Host '", request.get_header_value("Host"),
                     "' is not one this server answers to: it serves IP "
                     "addresses, localhost and the names in --allowed_hosts "
                     "(DBCACHE_WEB_ALLOWED_HOSTS), against DNS rebinding"));
    return;
  }

  std::string allowed;
  for (const Route& route : kRoutes) {
    if (route.path != path) continue;
    if (route.method == method) {
      (this->*route.handler)(request, response);
      return;
    }
    StrAppend(&allowed, allowed.empty() ? "" : ", ", route.method);
  }
  if (constexpr std::string_view kCompare = "/api/compares/";
      path.starts_with(kCompare)) {
    if (method == "GET") {
      GetCompare(request, response, path.substr(kCompare.size()));
      return;
    }
    allowed = "GET";
  }
  if (auto it = assets_.find(path); it != assets_.end()) {
    if (method == "GET") {
      GetAsset(request, response, it->second);
      return;
    }
    allowed = "GET";
  }
  if (!allowed.empty()) {
    response.set_header("Allow", allowed);
    SendError(response, 405,
              absl::StrFormat("method %s is not allowed on %s (allowed: %s)",
                              request.method, request.path, allowed));
    return;
  }
  SendError(response, 404, StrCat("no such resource: ", request.path));
}

void WebServer::GetAsset(const HttpRequest& request, HttpResponse& response,
                         const Asset& asset) {
  // Revalidated on every load (cheap with the ETag), so a new binary's page is
  // never mixed with an old cached script.
  response.set_header("Cache-Control", "no-cache");
  response.set_header("ETag", asset.etag);
  if (request.get_header_value("If-None-Match") == asset.etag) {
    response.status = 304;
    return;
  }
  response.status = 200;
  response.set_content(asset.body.data(), asset.body.size(),
                       std::string(asset.content_type));
}

void WebServer::GetStatus(const HttpRequest&, HttpResponse& response) {
  std::shared_ptr<const absl::StatusOr<LiveSnapshot>> live = reader_->Live();
  if (!live->ok()) {
    SendJson(response, 503,
             DumpJson(Json{{"error", ReaderError(live->status())},
                           {"reader", "error"}}));
    return;
  }
  SendJson(response, 200, (*live)->status_body);
}

void WebServer::GetStats(const HttpRequest&, HttpResponse& response) {
  std::shared_ptr<const absl::StatusOr<LiveSnapshot>> live = reader_->Live();
  if (!live->ok()) {
    SendError(response, 503, ReaderError(live->status()));
    return;
  }
  if (!(*live)->stats_problem.empty()) {
    SendError(response, 502, (*live)->stats_problem);
    return;
  }
  SendJson(response, 200, (*live)->stats_body);
}

void WebServer::GetRuns(const HttpRequest&, HttpResponse& response) {
  SendList(response, *reader_->Runs());
}

void WebServer::GetSweeps(const HttpRequest&, HttpResponse& response) {
  SendList(response, *reader_->Sweeps());
}

void WebServer::GetCompares(const HttpRequest&, HttpResponse& response) {
  std::shared_ptr<const absl::StatusOr<ComparesSnapshot>> compares =
      reader_->Compares();
  if (!compares->ok()) {
    SendError(response, 503, ReaderError(compares->status()));
    return;
  }
  SendJson(response, 200, (*compares)->body);
}

void WebServer::GetCompare(const HttpRequest&, HttpResponse& response,
                           std::string_view id) {
  std::shared_ptr<const absl::StatusOr<ComparesSnapshot>> compares =
      reader_->Compares();
  if (!compares->ok()) {
    SendError(response, 503, ReaderError(compares->status()));
    return;
  }
  const nlohmann::json* record = (*compares)->Find(id);
  if (record == nullptr) {
    SendError(response, 404,
              StrCat("no compare '", id, "' among the last ",
                     StatsReader::kCompareEntries,
                     " (GET /api/compares lists them; one still going has "
                     "no record yet)"));
    return;
  }
  SendJson(response, 200, DumpJson(*record));
}

void WebServer::GetLog(const HttpRequest&, HttpResponse& response) {
  std::shared_ptr<const absl::StatusOr<LiveSnapshot>> live = reader_->Live();
  if (!live->ok()) {
    SendError(response, 503, ReaderError(live->status()));
    return;
  }
  SendJson(response, 200, (*live)->log_body);
}

void WebServer::GetHealth(const HttpRequest&, HttpResponse& response) {
  std::shared_ptr<const absl::StatusOr<LiveSnapshot>> live = reader_->Live();
  if (!live->ok()) {
    SendJson(response, 503,
             DumpJson(Json{{"status", "unavailable"},
                           {"reader", "error"},
                           {"error", ReaderError(live->status())}}));
    return;
  }
  const LiveSnapshot& snapshot = **live;
  if (!snapshot.daemon_online()) {
    SendJson(response, 503,
             DumpJson(Json{
                 {"status", "degraded"},
                 {"reader", "ok"},
                 {"daemon", "offline"},
                 {"error", "no dbcached heartbeat: is the daemon running?"}}));
    return;
  }
  Json body = {{"status", "ok"}, {"reader", "ok"}, {"daemon", "online"}};
  if (auto state = snapshot.daemon.find("state");
      state != snapshot.daemon.end() && state->is_string()) {
    body["daemon_state"] = *state;
  }
  SendJson(response, 200, DumpJson(body));
}

void WebServer::GetMetrics(const HttpRequest&, HttpResponse& response) {
  std::shared_ptr<const absl::StatusOr<LiveSnapshot>> live = reader_->Live();
  std::string body = live->ok() ? (*live)->metrics_body
                                : RenderMetrics(false, nullptr, nullptr);
  response.status = 200;
  response.set_header("Cache-Control", "no-store");
  response.set_content(body, std::string(kMetricsType));
}

bool WebServer::AllowPost(const HttpRequest& request, HttpResponse& response) {
  if (!options_.token.empty() &&
      !BearerTokenMatches(request.get_header_value("Authorization"),
                          options_.token)) {
    response.set_header("WWW-Authenticate", "Bearer realm=\"dbcache\"");
    SendError(response, 401,
              "this server needs 'Authorization: Bearer <token>' (the value "
              "of DBCACHE_WEB_TOKEN) to change anything");
    return false;
  }
  // Browsers send Origin with every cross-site POST; a page elsewhere must not
  // start or cancel runs through a visitor's browser.
  if (request.has_header("Origin")) {
    const std::string origin = request.get_header_value("Origin");
    if (OriginHostPort(origin) != request.get_header_value("Host")) {
      SendError(response, 403,
                StrCat("cross-origin request refused (Origin ", origin, ")"));
      return false;
    }
  }
  return true;
}

void WebServer::PostRun(const HttpRequest& request, HttpResponse& response) {
  Start(request, response, run::CommandKind::kRun);
}

void WebServer::PostCompare(const HttpRequest& request,
                            HttpResponse& response) {
  Start(request, response, run::CommandKind::kCompare);
}

void WebServer::Start(const HttpRequest& request, HttpResponse& response,
                      run::CommandKind kind) {
  if (!AllowPost(request, response)) return;
  const bool compare = kind == run::CommandKind::kCompare;
  const std::string_view what = compare ? "compare" : "run";
  run::ControlCommand command;
  if (std::optional<HttpError> error =
          ParseRunRequest(request.get_header_value("Content-Type"),
                          request.body, &command, kind)) {
    SendError(response, *error);
    return;
  }
  if (command.run.id.empty()) {
    command.run.id = MakeRunId(absl::Now(), RandomId());
    command.id = command.run.id;
  }

  absl::StatusOr<PrimaryRunState> state = publisher_->ReadRunState();
  if (!state.ok()) {
    SendError(response, 503,
              StrCat("cannot read from the Redis primary: ",
                     state.status().message()));
    return;
  }
  if (IsRunGoing(state->stats, state->daemon)) {
    Json body = {{"error",
                  "a run is already going: wait for it to finish or cancel "
                  "it (POST /api/runs/current/cancel)"}};
    if (auto id = state->stats.find("run_id");
        state->stats.is_object() && id != state->stats.end()) {
      body["run_id"] = *id;
    }
    SendJson(response, 409, DumpJson(body));
    return;
  }

  if (std::optional<absl::Duration> wait = run_starts_.TryAcquire()) {
    const int64_t seconds = std::max<int64_t>(
        absl::ToInt64Seconds(absl::Ceil(*wait, absl::Seconds(1))), 1);
    response.set_header("Retry-After", absl::StrCat(seconds));
    SendError(response, 429,
              absl::StrFormat("too many runs started: at most %d a minute; "
                              "retry in %d s",
                              options_.run_starts_per_minute, seconds));
    return;
  }
  const std::string message = run::ControlCommandToJson(command);
  // The page's "no run going" check above is a courtesy: two starts at once
  // both pass it. Only the daemon knows whether it started this run.
  absl::StatusOr<RunStartAnswer> answer =
      publisher_->StartRun(message, command.run.id, options_.run_start_timeout);
  if (!answer.ok()) {
    SendError(response, 503,
              StrCat("cannot publish to the Redis primary: ",
                     answer.status().message()));
    return;
  }
  switch (answer->kind) {
    case RunStartAnswer::Kind::kStarted:
      break;
    case RunStartAnswer::Kind::kNoDaemon:
      SendError(
          response, 503,
          StrCat("no dbcached daemon is listening on ", publisher_->channel()));
      return;
    case RunStartAnswer::Kind::kNoAnswer:
      SendError(response, 503,
                answer->message.empty()
                    ? absl::StrFormat(
                          "dbcached did not answer %s %s within %s; it may "
                          "still start it (see /api/stats)",
                          what, command.run.id,
                          absl::FormatDuration(options_.run_start_timeout))
                    : absl::StrFormat(
                          "%s %s was sent, then its answer was lost (%s); it "
                          "may be starting (see /api/stats)",
                          what, command.run.id, answer->message));
      return;
    case RunStartAnswer::Kind::kRefused:
      SendJson(response, RefusalStatus(answer->error),
               DumpJson(Json{{"error", StrCat("dbcached refused the ", what,
                                              ": ", answer->message)},
                             {"daemon_error", answer->error},
                             {"id", command.run.id}}));
      return;
  }
  LogInfo("%s %s started for %s: %s", what, command.run.id, request.remote_addr,
          message);
  Json body = {{"id", command.run.id},
               {"status_url", "/api/stats"},
               {"command", Json::parse(message, nullptr, false)}};
  if (compare) {
    const std::string url = StrCat("/api/compares/", command.run.id);
    body["compare_url"] = url;
    body["page_url"] = StrCat("/?compare=", command.run.id);
    body["runs"] = {StrCat(command.run.id, "-off"),
                    StrCat(command.run.id, "-on")};
    response.set_header("Location", url);
  } else {
    response.set_header("Location", "/api/stats");
  }
  SendJson(response, 202, DumpJson(body));
}

void WebServer::PostCancel(const HttpRequest& request, HttpResponse& response) {
  if (!AllowPost(request, response)) return;
  run::ControlCommand command;
  command.kind = run::CommandKind::kCancel;
  absl::StatusOr<long long> receivers =
      publisher_->Publish(run::ControlCommandToJson(command));
  if (!receivers.ok()) {
    SendError(response, 503,
              StrCat("cannot publish to the Redis primary: ",
                     receivers.status().message()));
    return;
  }
  if (*receivers == 0) {
    SendError(
        response, 503,
        StrCat("no dbcached daemon is listening on ", publisher_->channel()));
    return;
  }
  LogInfo("cancel requested by %s", request.remote_addr);
  SendJson(response, 202, DumpJson(Json{{"status", "cancel requested"}}));
}

}  // namespace dbcache::web
