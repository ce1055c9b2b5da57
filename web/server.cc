#include "web/server.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "daemon/common/log.h"
#include "daemon/common/str_cat.h"
#include "daemon/run/control_command.h"
#include "web/assets.h"
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

void SendJson(httplib::Response& response, int status, std::string body) {
  response.status = status;
  // API answers describe a moment; a cached one would show a stale run.
  response.set_header("Cache-Control", "no-store");
  response.set_content(std::move(body), std::string(kJsonType));
}

void SendError(httplib::Response& response, const HttpError& error) {
  SendJson(response, error.status, error.Body());
}

void SendError(httplib::Response& response, int status,
               std::string_view message) {
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

std::string ReaderError(const absl::Status& status) {
  return StrCat("cannot read from the Redis reader: ", status.message());
}

// "host:port" of an Origin header value such as "http://127.0.0.1:8080".
std::string_view OriginHostPort(std::string_view origin) {
  const size_t scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return "";
  origin.remove_prefix(scheme_end + 3);
  return origin.substr(0, origin.find('/'));
}

std::string DefaultErrorMessage(int status) {
  switch (status) {
    case 400:
      return "malformed HTTP request";
    case 404:
      return "no such resource";
    case 408:
      return "request timed out";
    case 413:
      return absl::StrFormat("request body exceeds the limit of %d bytes",
                             kMaxRequestBody);
    case 414:
      return "request URI too long";
    case 416:
      return "range not satisfiable";
    default:
      return absl::StrFormat("HTTP error %d", status);
  }
}

uint32_t RandomId() {
  thread_local absl::BitGen generator;
  return absl::Uniform<uint32_t>(generator);
}

}  // namespace

const WebServer::Route WebServer::kRoutes[] = {
    {"GET", "/api/status", &WebServer::GetStatus},
    {"GET", "/api/stats", &WebServer::GetStats},
    {"GET", "/api/runs", &WebServer::GetRuns},
    {"GET", "/api/log", &WebServer::GetLog},
    {"GET", "/healthz", &WebServer::GetHealth},
    {"GET", "/metrics", &WebServer::GetMetrics},
    {"POST", "/api/runs", &WebServer::PostRun},
    {"POST", "/api/runs/current/cancel", &WebServer::PostCancel},
};

WebServer::WebServer(ServerOptions options, StatsReader* reader,
                     ControlPublisher* publisher)
    : options_(std::move(options)), reader_(reader), publisher_(publisher) {
  for (const EmbeddedAsset& asset : EmbeddedAssets()) {
    assets_.emplace(std::string(asset.path),
                    Asset{asset.content_type, asset.body,
                          StrCat("\"", HexHash(asset.body), "\"")});
  }

  const int threads = options_.threads;
  server_.new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  server_.set_payload_max_length(kMaxRequestBody);
  // Without it, a response written in two pieces (headers, then body) waits for
  // the client's delayed ACK: 40 ms per request.
  server_.set_tcp_nodelay(true);
  // A page polls every 2 s when idle: 3 s keeps its connection open between
  // polls (no handshake per poll) yet frees the worker it holds soon after the
  // page closes.
  server_.set_keep_alive_max_count(1000);
  server_.set_keep_alive_timeout(3);
  server_.set_read_timeout(10, 0);
  server_.set_write_timeout(10, 0);
  // httplib's default also sets SO_REUSEPORT, with which a second dbcache-web
  // on the same port would start "fine" and silently share the traffic; a
  // port in use must be an error.
  server_.set_socket_options([](int socket) {
    const int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server_.set_default_headers({
      {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
  });

  // Every method and path comes to Dispatch, which knows 404 from 405.
  auto dispatch = [this](const httplib::Request& request,
                         httplib::Response& response) {
    Dispatch(request, response);
  };
  server_.Get(".*", dispatch);
  server_.Post(".*", dispatch);
  server_.Put(".*", dispatch);
  server_.Patch(".*", dispatch);
  server_.Delete(".*", dispatch);
  server_.Options(".*", dispatch);

  // httplib's own answers (400 for a malformed request, 413 over the body
  // limit) come without a body; give them the API's JSON error.
  server_.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& response) {
        if (!response.body.empty()) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        SendJson(response, response.status,
                 ErrorBody(DefaultErrorMessage(response.status)));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_.set_exception_handler([](const httplib::Request& request,
                                   httplib::Response& response,
                                   std::exception_ptr) {
    LogError("%s %s: internal error", request.method, request.path);
    SendError(response, 500, "internal error");
  });
  server_.set_logger(
      [](const httplib::Request& request, const httplib::Response& response) {
        LogDebug("%s %s %d %s", request.method, request.path, response.status,
                 request.remote_addr);
      });
}

absl::StatusOr<int> WebServer::Bind(const std::string& host, int port) {
  errno = 0;
  int bound = port;
  if (port == 0) {
    bound = server_.bind_to_any_port(host);
  } else if (!server_.bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound < 0) {
    const int error = errno;
    return absl::UnavailableError(
        absl::StrFormat("cannot listen on %s:%d: %s", host, port,
                        error != 0 ? std::strerror(error) : "bind failed"));
  }
  return bound;
}

absl::Status WebServer::Serve() {
  if (!server_.listen_after_bind()) {
    return absl::InternalError("the HTTP server stopped with an error");
  }
  return absl::OkStatus();
}

void WebServer::Stop() {
  // httplib's stop() does nothing before listen_after_bind() has marked the
  // server running, so a stop that comes just before that would be lost.
  for (int i = 0; i < 200 && !server_.is_running(); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  server_.stop();
}

void WebServer::Dispatch(const httplib::Request& request,
                         httplib::Response& response) {
  // httplib routes HEAD to the GET handlers and drops the body itself.
  const std::string_view method =
      request.method == "HEAD" ? std::string_view("GET") : request.method;
  const std::string_view path =
      request.path == "/" ? std::string_view("/index.html") : request.path;

  std::string allowed;
  for (const Route& route : kRoutes) {
    if (route.path != path) continue;
    if (route.method == method) {
      (this->*route.handler)(request, response);
      return;
    }
    StrAppend(&allowed, allowed.empty() ? "" : ", ", route.method);
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

void WebServer::GetAsset(const httplib::Request& request,
                         httplib::Response& response, const Asset& asset) {
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

void WebServer::GetStatus(const httplib::Request&,
                          httplib::Response& response) {
  std::shared_ptr<const absl::StatusOr<LiveSnapshot>> live = reader_->Live();
  if (!live->ok()) {
    SendJson(response, 503,
             DumpJson(Json{{"error", ReaderError(live->status())},
                           {"reader", "error"}}));
    return;
  }
  SendJson(response, 200, (*live)->status_body);
}

void WebServer::GetStats(const httplib::Request&, httplib::Response& response) {
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

void WebServer::GetRuns(const httplib::Request&, httplib::Response& response) {
  std::shared_ptr<const absl::StatusOr<RunsSnapshot>> runs = reader_->Runs();
  if (!runs->ok()) {
    SendError(response, 503, ReaderError(runs->status()));
    return;
  }
  SendJson(response, 200, (*runs)->body);
}

void WebServer::GetLog(const httplib::Request&, httplib::Response& response) {
  std::shared_ptr<const absl::StatusOr<LiveSnapshot>> live = reader_->Live();
  if (!live->ok()) {
    SendError(response, 503, ReaderError(live->status()));
    return;
  }
  SendJson(response, 200, (*live)->log_body);
}

void WebServer::GetHealth(const httplib::Request&,
                          httplib::Response& response) {
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

void WebServer::GetMetrics(const httplib::Request&,
                           httplib::Response& response) {
  std::shared_ptr<const absl::StatusOr<LiveSnapshot>> live = reader_->Live();
  std::string body = live->ok()
                         ? RenderMetrics(true, (*live)->stats, (*live)->daemon)
                         : RenderMetrics(false, nullptr, nullptr);
  response.status = 200;
  response.set_header("Cache-Control", "no-store");
  response.set_content(std::move(body), std::string(kMetricsType));
}

bool WebServer::AllowPost(const httplib::Request& request,
                          httplib::Response& response) {
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

void WebServer::PostRun(const httplib::Request& request,
                        httplib::Response& response) {
  if (!AllowPost(request, response)) return;
  run::ControlCommand command;
  if (std::optional<HttpError> error = ParseRunRequest(
          request.get_header_value("Content-Type"), request.body, &command)) {
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

  const std::string message = run::ControlCommandToJson(command);
  absl::StatusOr<long long> receivers = publisher_->Publish(message);
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
  LogInfo("run %s requested by %s: %s", command.run.id, request.remote_addr,
          message);
  response.set_header("Location", "/api/stats");
  SendJson(response, 202,
           DumpJson(Json{{"id", command.run.id},
                         {"status_url", "/api/stats"},
                         {"command", Json::parse(message, nullptr, false)}}));
}

void WebServer::PostCancel(const httplib::Request& request,
                           httplib::Response& response) {
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
