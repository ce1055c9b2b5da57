// dbcache-web: the live status page and JSON API of dbcache. See web/server.h
// for the routes and README.md for how to run it.

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "daemon/common/log.h"
#include "daemon/common/str_cat.h"
#include "daemon/config/command_line.h"
#include "daemon/config/settings.h"
#include "daemon/redis/sync_client.h"
#include "web/control_publisher.h"
#include "web/host_check.h"
#include "web/requests.h"
#include "web/server.h"
#include "web/stats_reader.h"
#include "web/systemd_notifier.h"

ABSL_FLAG(
    bool, allow_unauthenticated, false,
    "allow listening on a non-loopback address without DBCACHE_WEB_TOKEN");
ABSL_FLAG(int, web_threads, 32, "HTTP worker threads (1..1024)");
ABSL_FLAG(int, run_starts_per_minute, 60,
          "runs POST /api/runs may start per minute (1..6000)");
ABSL_FLAG(int, run_start_timeout_ms, 10000,
          "how long POST /api/runs waits for the daemon to start the run, ms "
          "(1..600000)");

namespace dbcache::web {
namespace {

constexpr std::string_view kProgram = "dbcache-web";

constexpr std::string_view kSynopsis =
    "Usage: dbcache-web [flags]\n"
    "\n"
    "Serves dbcache's live status page and JSON API. Reads stats from the "
    "Redis reader\n"
    "endpoint and starts runs by publishing on <prefix>control on the "
    "primary, where\n"
    "dbcached listens. Open http://127.0.0.1:8080/ with the defaults.";

constexpr std::string_view kExtraHelp =
    "dbcache-web flags:\n"
    "  --allow_unauthenticated  listen on a non-loopback address without a "
    "token\n"
    "                         (anyone who can reach it can start runs)\n"
    "  --web_threads=N        HTTP worker threads (1..1024); default 32. An "
    "open page\n"
    "                         holds one while it polls: this many browsers "
    "are served\n"
    "                         at once, more wait their turn\n"
    "  --run_starts_per_minute=N  runs the page and API may start per minute, "
    "in\n"
    "                         bursts of up to N/6 (1..6000); default 60. More "
    "are\n"
    "                         answered 429 with Retry-After\n";

redis::SyncEndpoint RedisEndpoint(const config::Settings& settings,
                                  const config::Endpoint& endpoint) {
  return redis::SyncEndpoint{.host = endpoint.host,
                             .port = endpoint.port,
                             .username = settings.redis_username,
                             .password = settings.redis_password,
                             .timeout = settings.connect_timeout,
                             .command_timeout = settings.command_timeout};
}

// Says so on stderr when --`flag`=`value` is outside low..high.
bool InRange(const char* program, const char* flag, int value, int low,
             int high) {
  if (value >= low && value <= high) return true;
  std::fprintf(stderr, "%s: --%s=%d is out of range %d..%d\n", program, flag,
               value, low, high);
  return false;
}

// The page polls every 250 ms and /healthz is a liveness probe: a reader that
// takes longer than this to connect or answer is down for both. With it,
// /healthz and /api/status answer 503 within a second when the reader accepts
// and never replies, not after the command timeout.
constexpr absl::Duration kReaderTimeout = absl::Milliseconds(750);

redis::SyncEndpoint ReaderEndpoint(const config::Settings& settings) {
  redis::SyncEndpoint endpoint = RedisEndpoint(settings, settings.redis_reader);
  endpoint.timeout = std::min(endpoint.timeout, kReaderTimeout);
  endpoint.command_timeout =
      std::min(endpoint.CommandTimeout(), kReaderTimeout);
  return endpoint;
}

// Waits for SIGINT or SIGTERM on its own thread (blocked in every other
// thread), so that stopping the server happens outside a signal handler.
class SignalWaiter {
 public:
  // Blocks the signals in the calling thread and, through inheritance, in
  // every thread it starts later: call before starting any.
  SignalWaiter() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  }

  // Calls on_signal() once a signal arrives, unless Finish() comes first.
  void Start(std::function<void(int)> on_signal) {
    thread_ = std::thread([this, on_signal = std::move(on_signal)] {
      const timespec tick = {0, 200'000'000};
      while (!finished_.load()) {
        const int signal = sigtimedwait(&signals_, nullptr, &tick);
        if (signal > 0) {
          on_signal(signal);
          return;
        }
      }
    });
  }

  void Finish() {
    finished_.store(true);
    if (thread_.joinable()) thread_.join();
  }

  ~SignalWaiter() { Finish(); }

 private:
  sigset_t signals_;
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

int Main(int argc, char** argv) {
  const config::ProgramInfo info{
      .name = kProgram,
      .synopsis = kSynopsis,
      .groups = config::kGroupRedis | config::kGroupWeb | config::kGroupCommon,
      .extra_help = kExtraHelp,
  };
  const std::vector<std::string> positional =
      config::ParseCommandLine(argc, argv, info);
  if (positional.size() > 1) {
    std::fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", argv[0],
                 positional[1].c_str());
    return 2;
  }
  const config::Settings settings = config::ResolveOrExit(info);
  const int threads = absl::GetFlag(FLAGS_web_threads);
  const int run_starts = absl::GetFlag(FLAGS_run_starts_per_minute);
  const int run_start_timeout_ms = absl::GetFlag(FLAGS_run_start_timeout_ms);
  if (!InRange(argv[0], "web_threads", threads, 1, 1024) ||
      !InRange(argv[0], "run_starts_per_minute", run_starts, 1, 6000) ||
      !InRange(argv[0], "run_start_timeout_ms", run_start_timeout_ms, 1,
               600000)) {
    return 2;
  }

  const config::Endpoint& listen = settings.web_listen;
  if (!IsLoopbackHost(listen.host) && settings.web_token.empty()) {
    if (!absl::GetFlag(FLAGS_allow_unauthenticated)) {
      std::fprintf(
          stderr,
          "%s: refusing to listen on %s, which is not a loopback address, "
          "without a token: anyone who can reach it could start runs. Set "
          "DBCACHE_WEB_TOKEN (or --web_token), or pass "
          "--allow_unauthenticated if that is really what you want.\n",
          argv[0], listen.host.c_str());
      return 2;
    }
    LogWarning(
        "listening on %s without a token (--allow_unauthenticated): anyone "
        "who can reach it can start and cancel runs",
        listen.host);
  }

  // Writes to a peer that hung up must fail with EPIPE, not kill the process.
  signal(SIGPIPE, SIG_IGN);
  SignalWaiter signal_waiter;

  StatsReader reader(StatsReader::Options{
      .reader = ReaderEndpoint(settings),
      .prefix = settings.prefix,
  });
  ControlPublisher publisher(RedisEndpoint(settings, settings.redis_primary),
                             settings.prefix);
  WebServer server(
      ServerOptions{
          .token = settings.web_token,
          .threads = threads,
          .run_starts_per_minute = run_starts,
          .allowed_hosts = ParseAllowedHosts(settings.web_allowed_hosts),
          .run_start_timeout = absl::Milliseconds(run_start_timeout_ms)},
      &reader, &publisher);

  absl::StatusOr<int> port = server.Bind(listen.host, listen.port);
  if (!port.ok()) {
    LogError("%s", port.status().message());
    return 1;
  }
  const bool ipv6 = listen.host.find(':') != std::string::npos;
  LogInfo(
      "listening on http://%s%s%s:%d/ (reader %s, primary %s, prefix '%s', "
      "POST %s)",
      ipv6 ? "[" : "", listen.host, ipv6 ? "]" : "", *port,
      reader.endpoint().Name(), publisher.endpoint().Name(), settings.prefix,
      settings.web_token.empty() ? "open" : "needs the bearer token");

  const std::string where = StrCat(listen.host, ":", *port);
  SystemdNotifier notifier([&reader, &where] {
    auto live = reader.Live();
    if (!live->ok()) {
      return SystemdNotifier::Probe{
          false, StrCat("serving on ", where, "; reader unreachable (",
                        live->status().message(), ")")};
    }
    return SystemdNotifier::Probe{
        true, StrCat("serving on ", where, "; reader ok; daemon ",
                     (*live)->daemon_online() ? "online" : "offline")};
  });
  notifier.Start();
  signal_waiter.Start([&server, &notifier](int signal) {
    LogInfo("%s: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    notifier.Stop();
    server.Stop();
  });
  absl::Status served = server.Serve();
  signal_waiter.Finish();
  notifier.Stop();
  if (!served.ok()) {
    LogError("%s", served.message());
    return 1;
  }
  LogInfo("stopped");
  return 0;
}

}  // namespace
}  // namespace dbcache::web

int main(int argc, char** argv) { return dbcache::web::Main(argc, argv); }
