// The HTTP transport on loopback sockets, with handlers written for each test:
// what reaches a handler, what goes back on the wire, and how the server stops.

#include "web/http/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::web::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr absl::Duration kDeadline = absl::Seconds(10);

// An HttpServer on an ephemeral loopback port, served by a thread of the
// test, stopped and joined on destruction.
class RunningServer {
 public:
  explicit RunningServer(HttpServer::Options options)
      : server_(std::move(options)) {
    // As in dbcache-web's main: a client that hangs up mid-answer must make
    // the write fail, not kill the process.
    signal(SIGPIPE, SIG_IGN);
    absl::StatusOr<int> port = server_.Bind("127.0.0.1", 0);
    EXPECT_TRUE(port.ok()) << port.status();
    port_ = port.value_or(0);
    thread_ = std::thread([this] { served_ = server_.Serve(); });
  }
  ~RunningServer() {
    server_.Stop();
    thread_.join();
    EXPECT_TRUE(served_.ok()) << served_;
  }

  int port() const { return port_; }
  HttpServer& server() { return server_; }
  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(2);
    client.set_read_timeout(5);
    return client;
  }

 private:
  HttpServer server_;
  int port_ = 0;
  absl::Status served_;
  std::thread thread_;
};

// Sends `request` as is on a new connection and returns everything the server
// sends back until it closes the connection (requests end with
// "Connection: close") or 5 s pass.
std::string RawExchange(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const timeval timeout = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
          0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    ssize_t n;
    while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0)
      answer.append(buffer, n);
  }
  close(fd);
  return answer;
}

// Answers with what it was asked, as text: method, path and body.
void Echo(const HttpRequest& request, HttpResponse& response) {
  response.SetBody(request.method + " " + request.path + " [" + request.body +
                       "] " + std::string(request.HeaderValue("x-probe")),
                   "text/plain");
}

TEST(HttpServerTest, HandlerSeesTheDecodedRequest) {
  RunningServer running({.handler = Echo});
  httplib::Client client = running.Client();
  httplib::Result result =
      client.Get("/a%20b/c?q=1&r=%2F", {{"X-Probe", "yes"}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "GET /a b/c [] yes");
  result = client.Post("/p", "payload", "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->body, "POST /p [payload] ");
}

TEST(HttpServerTest, RequestTargetsInEveryForm) {
  RunningServer running({.handler = Echo});
  const auto body_of = [&](const std::string& target) {
    const std::string answer = RawExchange(
        running.port(),
        "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    return answer.substr(answer.find("\r\n\r\n") + 4);
  };
  // Not read as an authority, as URI parsers read "//x".
  EXPECT_EQ(body_of("//api/stats"), "GET //api/stats [] ");
  EXPECT_EQ(body_of("http://example.com/x/y?z"), "GET /x/y [] ");
  EXPECT_EQ(body_of("http://example.com"), "GET / [] ");
  EXPECT_EQ(body_of("/%2e%2e/etc"), "GET /../etc [] ");

  // Only "?" or "#" after the authority: the path is "/", whatever follows.
  EXPECT_EQ(body_of("http://h?/api/stats"), "GET / [] ");
  EXPECT_EQ(body_of("http://h#/api/stats"), "GET / [] ");
  for (const char* bad : {"a?b://c/api/runs", "1http://h/x", "://h/x", "x"}) {
    EXPECT_THAT(
        RawExchange(running.port(), std::string("GET ") + bad +
                                        " HTTP/1.1\r\nHost: x\r\nConnection: "
                                        "close\r\n\r\n"),
        StartsWith("HTTP/1.1 400 "))
        << bad;
  }

  const std::string star =
      RawExchange(running.port(),
                  "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(star, StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(star, HasSubstr(R"({"error":"malformed request target"})"));
}

TEST(HttpServerTest, DefaultHeadersUnlessTheHandlerSetsThem) {
  RunningServer running({
      .default_headers = {{"X-Frame-Options", "DENY"},
                          {"Cache-Control", "no-store"}},
      .handler =
          [](const HttpRequest&, HttpResponse& response) {
            response.SetHeader("cache-control", "no-cache");
            response.SetBody("x", "text/plain");
          },
  });
  httplib::Client client = running.Client();
  httplib::Result result = client.Get("/");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(result->get_header_value("Cache-Control"), "no-cache");
  EXPECT_EQ(result->get_header_value_count("Cache-Control"), 1u);
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/plain");
  EXPECT_EQ(result->get_header_value("Content-Length"), "1");
}

TEST(HttpServerTest, HeaderValuesWithLineBreaksAreNotSent) {
  RunningServer running(
      {.handler = [](const HttpRequest&, HttpResponse& response) {
        response.SetHeader("X-Evil", "a\r\nSet-Cookie: b=c");
        response.SetBody("x", "text/plain");
      }});
  const std::string answer = RawExchange(
      running.port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 200 "));
  EXPECT_THAT(answer, Not(HasSubstr("Set-Cookie")));
}

TEST(HttpServerTest, HeadAnd304GoWithoutBody) {
  static const std::string kBig(100'000, 'z');
  RunningServer running(
      {.handler = [](const HttpRequest& request, HttpResponse& response) {
        if (request.path == "/cached") response.status = 304;
        response.SetStaticBody(kBig, "text/plain");
      }});
  httplib::Client client = running.Client();
  httplib::Result result = client.Get("/static");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->body, kBig);  // A static body is sent whole.
  // The answer ends with its headers; a body would desynchronize the
  // connection.
  const std::string head = RawExchange(
      running.port(),
      "HEAD /static HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(head, StartsWith("HTTP/1.1 200 "));
  EXPECT_EQ(head.find("\r\n\r\n"), head.size() - 4) << head.substr(0, 300);
  const std::string not_modified = RawExchange(
      running.port(),
      "GET /cached HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(not_modified, StartsWith("HTTP/1.1 304 "));
  EXPECT_EQ(not_modified.find("\r\n\r\n"), not_modified.size() - 4);
  result = client.Get("/cached");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 304);
  // The connection is still in step after answers without bodies.
  result = client.Get("/static");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->body.size(), kBig.size());
}

TEST(HttpServerTest, KeepAliveAndPipelining) {
  RunningServer running({.handler = Echo});
  const std::string answer =
      RawExchange(running.port(),
                  "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const size_t first = answer.find("GET /one [] ");
  const size_t second = answer.find("GET /two [] ");
  ASSERT_NE(first, std::string::npos) << answer;
  ASSERT_NE(second, std::string::npos) << answer;
  EXPECT_LT(first, second);
}

TEST(HttpServerTest, BodiesOverTheLimitAre413AndTheServerGoesOn) {
  RunningServer running({.max_body = 1000, .handler = Echo});
  httplib::Client client = running.Client();
  httplib::Result result =
      client.Post("/p", std::string(5000, 'a'), "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 413);
  result = running.Client().Post("/p", std::string(1000, 'a'), "text/plain");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
}

TEST(HttpServerTest, MalformedRequestsAre400) {
  RunningServer running({.handler = Echo});
  const std::vector<std::string> requests = {
      "BLAH\r\n\r\n", "GET / HTTP/9.x\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
      std::string("GET /a\0b HTTP/1.1\r\n\r\n", 21)};
  for (const std::string& request : requests) {
    EXPECT_THAT(RawExchange(running.port(), request),
                StartsWith("HTTP/1.1 400 "))
        << request;
  }
  httplib::Result result = running.Client().Get("/after");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
}

TEST(HttpServerTest, AnExceptionIsAnswered500) {
  RunningServer running({.handler = [](const HttpRequest&, HttpResponse&) {
    throw std::runtime_error("boom");
  }});
  httplib::Result result = running.Client().Get("/");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 500);
  EXPECT_EQ(result->body, R"({"error":"internal error"})");
}

TEST(HttpServerTest, AnythingThrownOrAnImpossibleStatusIs500) {
  RunningServer running(
      {.handler = [](const HttpRequest& request, HttpResponse& response) {
        if (request.path == "/int") throw 42;
        response.status = 0;
      }});
  for (const char* path : {"/int", "/status0"}) {
    httplib::Result result = running.Client().Get(path);
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 500) << path;
    EXPECT_EQ(result->body, R"({"error":"internal error"})");
  }
}

TEST(HttpServerTest, OutOfDescriptorsPausesAcceptingInsteadOfSpinning) {
  RunningServer running({.threads = 1, .handler = Echo});
  // Its loop is up (it set up its descriptors before the limit drops).
  ASSERT_TRUE(running.Client().Get("/up"));
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  // Lower the limit so that 11 descriptor numbers are left free, then take
  // them with client connections until the server cannot accept the last.
  rlimit low = saved;
  int free_below = 0;
  for (low.rlim_cur = 0; free_below < 11; ++low.rlim_cur) {
    if (fcntl(static_cast<int>(low.rlim_cur), F_GETFD) == -1) ++free_below;
  }
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<int> clients;
  for (int i = 0; i < 12; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(running.port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // The kernel completes the handshake whether or not accept() can.
    connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    clients.push_back(fd);
  }
  // Over a second, a listener spinning on EMFILE would burn a whole core.
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  absl::SleepFor(absl::Seconds(1));
  getrusage(RUSAGE_SELF, &after);
  const absl::Duration cpu = absl::DurationFromTimeval(after.ru_utime) -
                             absl::DurationFromTimeval(before.ru_utime) +
                             absl::DurationFromTimeval(after.ru_stime) -
                             absl::DurationFromTimeval(before.ru_stime);
  for (int fd : clients) close(fd);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  EXPECT_LT(cpu, absl::Milliseconds(300));
  // Accepting resumes once descriptors are free again.
  bool served = false;
  const absl::Time deadline = absl::Now() + kDeadline;
  while (!served && absl::Now() < deadline) {
    httplib::Result result = running.Client().Get("/again");
    served = result && result->status == 200;
  }
  EXPECT_TRUE(served);
}

TEST(HttpServerTest, ABlockedLoopLeavesTheOthersServing) {
  // With two loops, a handler that waits holds up only its own loop: the
  // connection made while it waits is accepted and answered by the other.
  absl::Notification entered, release;
  RunningServer running({
      .threads = 2,
      .handler =
          [&](const HttpRequest& request, HttpResponse& response) {
            if (request.path == "/wait") {
              entered.Notify();
              release.WaitForNotificationWithTimeout(kDeadline);
            }
            response.SetBody(request.path, "text/plain");
          },
  });
  std::thread waiter([&] {
    httplib::Result result = running.Client().Get("/wait");
    EXPECT_TRUE(result && result->body == "/wait");
  });
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(kDeadline));
  httplib::Result result = running.Client().Get("/other");
  const bool answered_while_waiting = !release.HasBeenNotified();
  release.Notify();
  waiter.join();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->body, "/other");
  EXPECT_TRUE(answered_while_waiting);
}

TEST(HttpServerTest, StopBeforeServeMakesServeReturn) {
  HttpServer server({.threads = 3, .handler = Echo});
  ASSERT_TRUE(server.Bind("127.0.0.1", 0).ok());
  server.Stop();
  const absl::Time start = absl::Now();
  EXPECT_TRUE(server.Serve().ok());
  EXPECT_LT(absl::Now() - start, kDeadline);
}

TEST(HttpServerTest, StopWithIdleConnectionsOpen) {
  auto running = std::make_unique<RunningServer>(
      HttpServer::Options{.threads = 2, .handler = Echo});
  // Idle keep-alive connections, as open pages leave between polls.
  httplib::Client first = running->Client();
  httplib::Client second = running->Client();
  first.set_keep_alive(true);
  second.set_keep_alive(true);
  ASSERT_TRUE(first.Get("/a"));
  ASSERT_TRUE(second.Get("/b"));
  const absl::Time start = absl::Now();
  running.reset();  // Stop() and join Serve().
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST(HttpServerTest, BindErrorsNameTheAddress) {
  RunningServer running({.handler = Echo});
  HttpServer second({.handler = Echo});
  absl::StatusOr<int> port = second.Bind("127.0.0.1", running.port());
  ASSERT_FALSE(port.ok());
  EXPECT_THAT(port.status().message(),
              HasSubstr("127.0.0.1:" + std::to_string(running.port())));
  EXPECT_THAT(port.status().message(), HasSubstr("Address already in use"));

  HttpServer third({.handler = Echo});
  port = third.Bind("no-such-host.invalid", 0);
  ASSERT_FALSE(port.ok());
  EXPECT_THAT(port.status().message(), HasSubstr("no-such-host.invalid:0"));
  EXPECT_FALSE(third.Serve().ok());  // Nothing bound.
}

}  // namespace
}  // namespace dbcache::web::http
