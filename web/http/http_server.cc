#include "web/http/http_server.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "daemon/common/log.h"
#include "daemon/loop/event_loop.h"

namespace dbcache::web::http {
namespace {

// How long answers already handed to libevent get to reach their clients once
// Stop() is called.
constexpr timeval kStopGrace = {0, 200'000};
// How long accepting pauses after accept() fails, e.g. out of descriptors.
constexpr timeval kAcceptPause = {0, 250'000};
constexpr absl::Duration kAcceptWarningInterval = absl::Seconds(10);

struct EvhttpFree {
  void operator()(evhttp* http) const { evhttp_free(http); }
};
struct EvbufferFree {
  void operator()(evbuffer* buffer) const { evbuffer_free(buffer); }
};
struct MallocFree {
  void operator()(char* p) const { std::free(p); }
};
using EvhttpPtr = std::unique_ptr<evhttp, EvhttpFree>;
using EvbufferPtr = std::unique_ptr<evbuffer, EvbufferFree>;

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

const char* MethodName(evhttp_cmd_type type) {
  switch (type) {
    case EVHTTP_REQ_GET:
      return "GET";
    case EVHTTP_REQ_POST:
      return "POST";
    case EVHTTP_REQ_HEAD:
      return "HEAD";
    case EVHTTP_REQ_PUT:
      return "PUT";
    case EVHTTP_REQ_DELETE:
      return "DELETE";
    case EVHTTP_REQ_OPTIONS:
      return "OPTIONS";
    case EVHTTP_REQ_TRACE:
      return "TRACE";
    case EVHTTP_REQ_CONNECT:
      return "CONNECT";
    case EVHTTP_REQ_PATCH:
      return "PATCH";
  }
  return "UNKNOWN";
}

// The percent-decoded path of a request target: origin form ("/a/b?q") or
// absolute form ("http://host/a/b"); nullopt for the rest ("*", "x"). Parsed
// here rather than by evhttp_uri, which reads "//a/b" as host "a", path "/b".
std::optional<std::string> TargetPath(std::string_view target) {
  if (!target.empty() && target.front() != '/') {
    // Absolute form: scheme "://" authority [path] [?query] [#fragment], with
    // a scheme of ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") (RFC 3986, 3.1).
    const size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0 ||
        !absl::ascii_isalpha(static_cast<unsigned char>(target[0]))) {
      return std::nullopt;
    }
    for (char c : target.substr(0, scheme_end)) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '+' &&
          c != '-' && c != '.') {
        return std::nullopt;
      }
    }
    const size_t authority_end = target.find_first_of("/?#", scheme_end + 3);
    target =
        authority_end == std::string_view::npos || target[authority_end] != '/'
            ? std::string_view("/")
            : target.substr(authority_end);
  }
  target = target.substr(0, target.find_first_of("?#"));
  if (target.empty()) return std::nullopt;
  const std::string raw(target);
  size_t decoded_size = 0;
  std::unique_ptr<char, MallocFree> decoded(
      evhttp_uridecode(raw.c_str(), /*decode_plus=*/0, &decoded_size));
  if (decoded == nullptr) return std::nullopt;
  return std::string(decoded.get(), decoded_size);
}

// Fills `request` from what evhttp parsed; false when the target names no
// path (such as "OPTIONS *").
bool ReadRequest(evhttp_request* req, HttpRequest& request) {
  request.method = MethodName(evhttp_request_get_command(req));
  if (const char* target = evhttp_request_get_uri(req); target != nullptr) {
    request.target = target;
  }
  std::optional<std::string> path = TargetPath(request.target);
  if (!path.has_value()) return false;
  request.path = *std::move(path);

  const evkeyvalq* headers = evhttp_request_get_input_headers(req);
  for (const evkeyval* header = headers->tqh_first; header != nullptr;
       header = header->next.tqe_next) {
    request.headers.push_back(Header{header->key, header->value});
  }
  evbuffer* input = evhttp_request_get_input_buffer(req);
  request.body.resize(evbuffer_get_length(input));
  evbuffer_copyout(input, request.body.data(), request.body.size());

  char* address = nullptr;
  ev_uint16_t port = 0;
  evhttp_connection_get_peer(evhttp_request_get_connection(req), &address,
                             &port);
  if (address != nullptr) request.remote_addr = address;
  return true;
}

}  // namespace

struct HttpServer::Shared {
  Options options;
  Fd listen_fd;
  Fd stop_fd;  // An eventfd: readable (and left so) once Stop() is called.
  std::atomic<bool> stopped{false};
};

// One event loop and the evhttp on it.
struct HttpServer::Worker {
  explicit Worker(Shared* shared) : shared(shared) {}

  // Builds the loop; false (with errno set) when libevent refuses.
  bool Init() {
    base.reset(event_base_new());
    if (base == nullptr) return false;
    http.reset(evhttp_new(base.get()));
    if (http == nullptr) return false;
    const Options& options = shared->options;
    evhttp_set_gencb(http.get(), &Worker::OnRequest, this);
    evhttp_set_allowed_methods(
        http.get(), EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                        EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                        EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                        EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_max_body_size(http.get(), options.max_body);
    evhttp_set_max_headers_size(http.get(), options.max_headers);
    const timeval timeout = absl::ToTimeval(options.io_timeout);
    evhttp_set_timeout_tv(http.get(), &timeout);
    // No LEV_OPT_CLOSE_ON_FREE: every worker shares the socket, and the server
    // closes it once.
    evconnlistener* listener = evconnlistener_new(
        base.get(), nullptr, nullptr, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
        /*backlog=*/0, shared->listen_fd.get());
    if (listener == nullptr) return false;
    bound = evhttp_bind_listener(http.get(), listener);
    if (bound == nullptr) {
      evconnlistener_free(listener);
      return false;
    }
    evconnlistener_set_error_cb(listener, &Worker::OnAcceptError);
    resume_event.reset(evtimer_new(base.get(), &Worker::OnResume, this));
    if (resume_event == nullptr) return false;
    stop_event.reset(event_new(base.get(), shared->stop_fd.get(),
                               EV_READ | EV_PERSIST, &Worker::OnStop, this));
    return stop_event != nullptr && event_add(stop_event.get(), nullptr) == 0;
  }

  void Run() {
    current = this;
    event_base_dispatch(base.get());
    current = nullptr;
  }

  evconnlistener* listener() const {
    return evhttp_bound_socket_get_listener(bound);
  }

  // accept() failed for a reason retrying will not fix at once (EMFILE when
  // every descriptor is taken, ENOBUFS, ...). The socket stays readable, so a
  // listener left enabled would spin: pause accepting for a moment instead.
  static void OnAcceptError(evconnlistener* listener, void*) {
    const int error = EVUTIL_SOCKET_ERROR();
    // The callback's argument is evhttp's; this runs on the loop's thread.
    Worker* worker = current;
    if (worker == nullptr) return;
    evconnlistener_disable(listener);
    ++worker->accept_pauses;
    const absl::Time now = absl::Now();
    if (now - worker->last_accept_warning >= kAcceptWarningInterval) {
      LogWarning(
          "cannot accept connections: %s; pausing accepts for %d ms (%d "
          "pauses since the last warning)",
          evutil_socket_error_to_string(error),
          absl::ToInt64Milliseconds(absl::DurationFromTimeval(kAcceptPause)),
          worker->accept_pauses);
      worker->last_accept_warning = now;
      worker->accept_pauses = 0;
    }
    evtimer_add(worker->resume_event.get(), &kAcceptPause);
  }

  static void OnResume(evutil_socket_t, short, void* arg) {
    auto* worker = static_cast<Worker*>(arg);
    if (!worker->stopping) evconnlistener_enable(worker->listener());
  }

  static void OnStop(evutil_socket_t, short, void* arg) {
    auto* worker = static_cast<Worker*>(arg);
    worker->stopping = true;
    // The eventfd stays readable for the other workers: not read here.
    event_del(worker->stop_event.get());
    evconnlistener_disable(worker->listener());
    event_base_loopexit(worker->base.get(), &kStopGrace);
  }

  static void OnRequest(evhttp_request* req, void* arg) {
    static_cast<Worker*>(arg)->Handle(req);
  }

  void Handle(evhttp_request* req) {
    // No exception may unwind into libevent: a bad_alloc while copying the
    // request or the answer is caught here too.
    try {
      HttpRequest request;
      HttpResponse response;
      if (!ReadRequest(req, request)) {
        response.status = 400;
        response.SetBody(R"({"error":"malformed request target"})",
                         "application/json");
      } else {
        try {
          shared->options.handler(request, response);
        } catch (const std::exception& e) {
          LogError("%s %s: internal error: %s", request.method, request.target,
                   e.what());
          response = InternalError();
        } catch (...) {
          LogError("%s %s: internal error", request.method, request.target);
          response = InternalError();
        }
      }
      if (response.status < 100 || response.status > 599) {
        LogError("%s %s: the handler answered status %d", request.method,
                 request.target, response.status);
        response = InternalError();
      }
      LogDebug("%s %s %d %s", request.method, request.target, response.status,
               request.remote_addr);
      Reply(req, response);
    } catch (...) {
      // Out of memory, most likely: evhttp's own error page allocates little.
      evhttp_send_error(req, 500, nullptr);
    }
  }

  static HttpResponse InternalError() {
    HttpResponse response;
    response.status = 500;
    response.SetBody(R"({"error":"internal error"})", "application/json");
    return response;
  }

  void Reply(evhttp_request* req, const HttpResponse& response) {
    evkeyvalq* headers = evhttp_request_get_output_headers(req);
    for (const Header& header : response.headers) {
      // evhttp refuses values with CR or LF: no header injection.
      evhttp_add_header(headers, header.name.c_str(), header.value.c_str());
    }
    for (const Header& header : shared->options.default_headers) {
      if (response.HeaderValue(header.name).empty()) {
        evhttp_add_header(headers, header.name.c_str(), header.value.c_str());
      }
    }
    EvbufferPtr body(evbuffer_new());
    const std::string_view content = response.Body();
    // evhttp would send a body with the answer to HEAD and with a 1xx, 204 or
    // 304, which must have none (RFC 9110, 6.4.1 and 9.3.2).
    const bool bodiless = evhttp_request_get_command(req) == EVHTTP_REQ_HEAD ||
                          response.status < 200 || response.status == 204 ||
                          response.status == 304;
    if (body != nullptr && !bodiless) {
      if (!response.static_body.empty()) {
        evbuffer_add_reference(body.get(), content.data(), content.size(),
                               nullptr, nullptr);
      } else {
        evbuffer_add(body.get(), content.data(), content.size());
      }
    }
    // A null reason takes libevent's standard phrase for the code.
    evhttp_send_reply(req, response.status, nullptr, body.get());
  }

  Shared* const shared;
  loop::EventBasePtr base;
  EvhttpPtr http;
  evhttp_bound_socket* bound = nullptr;  // Owned by `http`.
  loop::EventPtr stop_event;
  loop::EventPtr resume_event;  // Re-enables accepting after an error.
  bool stopping = false;
  int accept_pauses = 0;
  absl::Time last_accept_warning = absl::InfinitePast();
  std::thread thread;

  // The worker whose loop runs on this thread.
  static thread_local Worker* current;
};

thread_local HttpServer::Worker* HttpServer::Worker::current = nullptr;

HttpServer::HttpServer(Options options) : shared_(std::make_unique<Shared>()) {
  shared_->options = std::move(options);
  if (shared_->options.threads < 1) shared_->options.threads = 1;
  shared_->stop_fd = Fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
}

HttpServer::~HttpServer() {
  Stop();
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  // Workers (their evhttp and connections) go before the socket they share.
  workers_.clear();
}

absl::StatusOr<int> HttpServer::Bind(const std::string& host, int port) {
  const auto fail = [&](const std::string& why) {
    return absl::UnavailableError(
        absl::StrFormat("cannot listen on %s:%d: %s", host, port, why));
  };
  if (shared_->listen_fd.get() >= 0) return fail("already listening");
  if (port < 0 || port > 65535) return fail("port out of range");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
      rc != 0) {
    return fail(gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found,
                                                               freeaddrinfo);
  int error = 0;
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    Fd fd(socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                 ai->ai_protocol));
    if (fd.get() < 0) {
      error = errno;
      continue;
    }
    // SO_REUSEADDR lets a restart bind while old connections sit in
    // TIME_WAIT. Not SO_REUSEPORT: a second server on the port must fail.
    const int yes = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    // Accepted sockets inherit it: an answer larger than one write must not
    // wait for the client's delayed ACK.
    setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    if (bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0 ||
        listen(fd.get(), SOMAXCONN) != 0) {
      error = errno;
      continue;
    }
    sockaddr_storage bound{};
    socklen_t bound_size = sizeof(bound);
    if (getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound),
                    &bound_size) != 0) {
      error = errno;
      continue;
    }
    shared_->listen_fd = std::move(fd);
    return bound.ss_family == AF_INET6
               ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
               : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }
  return fail(error != 0 ? std::strerror(error) : "no usable address");
}

absl::Status HttpServer::Serve() {
  if (shared_->listen_fd.get() < 0) {
    return absl::FailedPreconditionError("Serve() before a successful Bind()");
  }
  if (shared_->stop_fd.get() < 0) {
    return absl::InternalError("cannot create an eventfd for stopping");
  }
  if (!workers_.empty()) {
    return absl::FailedPreconditionError("Serve() called twice");
  }
  for (int i = 0; i < shared_->options.threads; ++i) {
    auto worker = std::make_unique<Worker>(shared_.get());
    if (!worker->Init()) {
      const int error = errno;
      Stop();
      for (auto& started : workers_) {
        if (started->thread.joinable()) started->thread.join();
      }
      workers_.clear();
      return absl::InternalError(
          absl::StrFormat("cannot set up an HTTP event loop: %s",
                          error != 0 ? std::strerror(error) : "libevent"));
    }
    workers_.push_back(std::move(worker));
    if (i > 0) {
      Worker* w = workers_.back().get();
      w->thread = std::thread([w] { w->Run(); });
    }
  }
  workers_.front()->Run();
  for (size_t i = 1; i < workers_.size(); ++i) workers_[i]->thread.join();
  return absl::OkStatus();
}

void HttpServer::Stop() {
  if (shared_->stopped.exchange(true)) return;
  if (shared_->stop_fd.get() >= 0) {
    const uint64_t one = 1;
    // Cannot fail short of a closed fd: the counter is far from overflowing.
    [[maybe_unused]] ssize_t n =
        write(shared_->stop_fd.get(), &one, sizeof(one));
  }
}

}  // namespace dbcache::web::http
