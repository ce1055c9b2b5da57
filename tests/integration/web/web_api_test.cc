// dbcache-web's API against the fixture's real Redis primary and replica: the
// program is started as users start it, on a free loopback port, under a Redis
// prefix of its own. A start is answered by the daemon's word, so the tests
// that start runs start a real dbcached; a SUBSCRIBE in the test listens to the
// control channel beside it, and stands in for a daemon that never answers.
//
// GET /api/stats with nothing stored answers 200 {"state":"none"} (not 404):
// "no run yet" is a normal state of the system, and the page renders it.

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/redis/sync_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/support/child_process.h"
#include "tests/integration/support/run_counts.h"
#include "tests/integration/support/stack_env.h"
#include "tests/integration/support/subscribers.h"
#include "tests/integration/support/tcp_proxy.h"

namespace dbcache::testing {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kDeadline = absl::Seconds(15);

redis::SyncClient Connect(int port) {
  absl::StatusOr<redis::SyncClient> client =
      redis::SyncClient::Connect({"127.0.0.1", port, "", "", absl::Seconds(5)});
  EXPECT_TRUE(client.ok()) << client.status();
  return *std::move(client);
}

// A dbcache-web process and an HTTP client for it.
class WebProcess {
 public:
  // Starts dbcache-web with `args` after the stack's Redis settings and waits
  // until /healthz answers with the reader reachable (200, or 503 when only
  // the daemon is missing).
  WebProcess(const std::string& prefix, std::vector<std::string> args = {},
             std::vector<std::string> env = {}, bool wait_ready = true) {
    const StackEnv& stack = StackEnv::Get();
    // The kernel may hand the same free port to someone else before we bind
    // it; try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = FreeTcpPort();
      std::vector<std::string> argv = {
          stack.bin_dir + "/dbcache-web",
          "--listen=127.0.0.1:" + std::to_string(port_),
          "--redis_host=127.0.0.1",
          "--redis_port=" + std::to_string(stack.redis_port),
          "--redis_reader_host=127.0.0.1",
          "--redis_reader_port=" + std::to_string(stack.replica_port),
          "--prefix=" + prefix};
      argv.insert(argv.end(), args.begin(), args.end());
      env.push_back("DBCACHE_WEB_TOKEN=");
      process_ = std::make_unique<ChildProcess>(argv, env);
      client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
      client_->set_connection_timeout(2);
      client_->set_read_timeout(5);
      if (!wait_ready) return;
      const bool ready = WaitFor(
          [this] {
            if (!process_->running()) return true;
            httplib::Result result = client_->Get("/healthz");
            if (!result) return false;
            Json body = Json::parse(result->body, nullptr, false);
            return body.is_object() && body.value("reader", "") == "ok";
          },
          kDeadline);
      if (ready && process_->running()) return;
      if (process_->running()) break;  // Up but never ready: a real failure.
    }
    ADD_FAILURE() << "dbcache-web did not become ready:\n" << Output();
  }

  ~WebProcess() {
    if (process_->running()) {
      process_->Signal(SIGTERM);
      EXPECT_EQ(process_->WaitForExit(absl::Seconds(10)), 0) << Output();
    }
  }

  httplib::Client& client() { return *client_; }
  ChildProcess& process() { return *process_; }
  std::string Output() const { return process_->Output(); }
  int port() const { return port_; }

 private:
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
  std::unique_ptr<httplib::Client> client_;
};

class WebApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    prefix_ = absl::StrCat("webtest:", getpid(), ":", ++counter, ":");
    primary_.emplace(Connect(stack_.redis_port));
  }

  void TearDown() override {
    // Leave nothing of ours behind in the shared Redis.
    absl::StatusOr<redis::ReplyPtr> keys =
        primary_->Command({"KEYS", Key("*")});
    if (keys.ok() && (*keys)->type == REDIS_REPLY_ARRAY) {
      for (size_t i = 0; i < (*keys)->elements; ++i) {
        primary_->Command({"DEL", (*keys)->element[i]->str}).IgnoreError();
      }
    }
    if (HasFailure() && web_ != nullptr) {
      std::cerr << "dbcache-web output:\n" << web_->Output() << "\n";
    }
    if (HasFailure() && daemon_ != nullptr) {
      std::cerr << "dbcached output:\n" << daemon_->Output() << "\n";
    }
  }

  std::string Key(const std::string& suffix) const { return prefix_ + suffix; }

  WebProcess& StartWeb(std::vector<std::string> args = {},
                       std::vector<std::string> env = {}) {
    web_ =
        std::make_unique<WebProcess>(prefix_, std::move(args), std::move(env));
    return *web_;
  }

  void Set(const std::string& key, const std::string& value) {
    ASSERT_TRUE(primary_->Command({"SET", key, value}).ok());
  }

  // A real dbcached on the prefix, ready once it listens on <prefix>control.
  void StartDaemon() {
    daemon_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{stack_.bin_dir + "/dbcached",
                                 "--prefix=" + prefix_,
                                 "--cache_reads=primary"},
        stack_.ProgramEnv());
    ASSERT_TRUE(WaitForSubscribers(*primary_, Key("control"), 1))
        << daemon_->Output();
  }

  // `key` on the primary as a JSON object; {} when absent.
  Json GetJson(const std::string& key) {
    absl::StatusOr<std::optional<std::string>> value = primary_->Get(key);
    if (!value.ok() || !value->has_value()) return Json::object();
    Json json = Json::parse(**value, nullptr, false);
    return json.is_object() ? json : Json::object();
  }

  // The final snapshot of run `id` once it has ended, its counts checked.
  Json WaitForRunEnd(const std::string& id) {
    Json stats = PollJson("/api/stats", [&](const Json& s) {
      return s.value("run_id", "") == id &&
             (s.value("state", "") == "finished" ||
              s.value("state", "") == "cancelled");
    });
    ExpectCountsAddUp(stats);
    return stats;
  }

  // A listener on <prefix>control: what the web published, or a daemon that
  // never answers.
  redis::SyncClient Subscribe() {
    redis::SyncClient subscriber = Connect(stack_.redis_port);
    EXPECT_TRUE(subscriber.Command({"SUBSCRIBE", Key("control")}).ok());
    return subscriber;
  }

  // GET until `path` answers 200 with a body for which `done` holds.
  Json PollJson(const std::string& path,
                const std::function<bool(const Json&)>& done) {
    Json last;
    const bool ok = WaitFor(
        [&] {
          httplib::Result result = web_->client().Get(path);
          if (!result || result->status != 200) return false;
          last = Json::parse(result->body, nullptr, false);
          return done(last);
        },
        kDeadline);
    EXPECT_TRUE(ok) << path
                    << " never satisfied the condition; last: " << last.dump();
    return last;
  }

  httplib::Result PostJson(const std::string& path, const std::string& body,
                           httplib::Headers headers = {}) {
    return web_->client().Post(path, headers, body, "application/json");
  }

  static Json Body(const httplib::Result& result) {
    return Json::parse(result->body, nullptr, false);
  }

  static std::string SampleStats(const std::string& run_id,
                                 const std::string& state,
                                 const std::string& updated_at = "") {
    Json stats = {{"run_id", run_id},
                  {"state", state},
                  {"queries", 1000},
                  {"done", 500},
                  {"hits", 400},
                  {"misses", 100},
                  {"errors", 0},
                  {"in_flight", 1},
                  {"hit_ratio", 0.8},
                  {"latency_us",
                   {{"cache_hit",
                     {{"count", 400},
                      {"mean", 70.1},
                      {"p50", 69.0},
                      {"p90", 80.0},
                      {"p99", 120.0},
                      {"p999", 150.0},
                      {"max", 151.0}}},
                    {"db",
                     {{"count", 100},
                      {"mean", 862.5},
                      {"p50", 800.0},
                      {"p90", 1200.0},
                      {"p99", 2000.0},
                      {"p999", 2100.0},
                      {"max", 2101.5}}}}}};
    if (!updated_at.empty()) stats["updated_at"] = updated_at;
    return stats.dump();
  }

  const StackEnv& stack_ = StackEnv::Get();
  std::string prefix_;
  std::optional<redis::SyncClient> primary_;
  std::unique_ptr<WebProcess> web_;
  std::unique_ptr<ChildProcess> daemon_;
};

TEST_F(WebApiTest, NothingStoredYet) {
  WebProcess& web = StartWeb();
  httplib::Result stats = web.client().Get("/api/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 200);
  EXPECT_EQ(Body(stats), (Json{{"state", "none"}}));
  EXPECT_EQ(stats->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(stats->get_header_value("Cache-Control"), "no-store");

  httplib::Result runs = web.client().Get("/api/runs");
  ASSERT_TRUE(runs);
  EXPECT_EQ(Body(runs), (Json{{"runs", Json::array()}}));
  httplib::Result sweeps = web.client().Get("/api/sweeps");
  ASSERT_TRUE(sweeps);
  EXPECT_EQ(Body(sweeps), (Json{{"sweeps", Json::array()}}));
  httplib::Result log = web.client().Get("/api/log");
  ASSERT_TRUE(log);
  EXPECT_EQ(Body(log), (Json{{"entries", Json::array()}}));
  httplib::Result status = web.client().Get("/api/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(Body(status)["daemon_online"], false);
}

TEST_F(WebApiTest, StatsWrittenOnThePrimaryAreReadFromTheReader) {
  StartWeb();
  const std::string stats = SampleStats("r42", "running");
  Set(Key("stats"), stats);
  Json shown = PollJson("/api/stats", [](const Json& body) {
    return body.value("run_id", "") == "r42";
  });
  EXPECT_EQ(shown, Json::parse(stats));
}

TEST_F(WebApiTest, RunsSweepsAndLogNewestFirst) {
  StartWeb();
  for (int seq = 1; seq <= 3; ++seq) {
    ASSERT_TRUE(primary_
                    ->Command({"LPUSH", Key("log"),
                               Json{{"seq", seq},
                                    {"sql", "SELECT 1"},
                                    {"source", "hit"},
                                    {"latency_us", 70.4}}
                                   .dump()})
                    .ok());
    ASSERT_TRUE(primary_
                    ->Command({"LPUSH", Key("runs"),
                               Json{{"run_id", absl::StrCat("r", seq)}}.dump()})
                    .ok());
    ASSERT_TRUE(
        primary_
            ->Command({"LPUSH", Key("sweeps"),
                       Json{{"sweep_id", absl::StrCat("s", seq)},
                            {"cells", Json::array({{{"ttl_ms", 100 * seq}}})}}
                           .dump()})
            .ok());
  }
  Json log = PollJson(
      "/api/log", [](const Json& body) { return body["entries"].size() == 3; });
  EXPECT_EQ(log["entries"][0]["seq"], 3);
  EXPECT_EQ(log["entries"][2]["seq"], 1);
  Json runs = PollJson(
      "/api/runs", [](const Json& body) { return body["runs"].size() == 3; });
  EXPECT_EQ(runs["runs"][0]["run_id"], "r3");
  Json sweeps = PollJson("/api/sweeps", [](const Json& body) {
    return body["sweeps"].size() == 3;
  });
  EXPECT_EQ(sweeps["sweeps"][0]["sweep_id"], "s3");
  EXPECT_EQ(sweeps["sweeps"][0]["cells"][0]["ttl_ms"], 300);
  EXPECT_EQ(sweeps["sweeps"][2]["sweep_id"], "s1");
}

TEST_F(WebApiTest, MetricsInPrometheusTextFormat) {
  WebProcess& web = StartWeb();
  Set(Key("stats"), SampleStats("r7", "finished"));
  PollJson("/api/stats",
           [](const Json& body) { return body.value("run_id", "") == "r7"; });
  httplib::Result metrics = web.client().Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"),
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(metrics->body, HasSubstr("\ndbcache_up 1\n"));
  EXPECT_THAT(metrics->body, HasSubstr("\ndbcache_daemon_up 0\n"));
  EXPECT_THAT(metrics->body,
              HasSubstr("\ndbcache_run_latency_seconds{source=\"cache_hit\","
                        "percentile=\"50\"} 6.9e-05\n"));
  EXPECT_THAT(metrics->body,
              HasSubstr("\ndbcache_run_queries_done{result=\"hit\"} 400\n"));
  EXPECT_THAT(metrics->body, HasSubstr("# TYPE dbcache_run_latency_seconds "
                                       "gauge\n"));
}

TEST_F(WebApiTest, HealthzFollowsTheDaemonHeartbeat) {
  WebProcess& web = StartWeb();
  httplib::Result health = web.client().Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  EXPECT_EQ(Body(health)["daemon"], "offline");

  ASSERT_TRUE(
      primary_
          ->Command({"SET", Key("daemon"),
                     R"({"state":"idle","version":"0.1.0"})", "PX", "60000"})
          .ok());
  EXPECT_TRUE(WaitFor(
      [&] {
        httplib::Result r = web.client().Get("/healthz");
        return r && r->status == 200;
      },
      kDeadline));
  health = web.client().Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(Body(health)["daemon_state"], "idle");
}

TEST_F(WebApiTest, PostRunWithoutADaemonIs503) {
  StartWeb();
  httplib::Result result = PostJson("/api/runs", R"({"queries":10})");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 503);
  EXPECT_EQ(
      Body(result)["error"],
      absl::StrCat("no dbcached daemon is listening on ", Key("control")));
}

TEST_F(WebApiTest, PostRunPublishesTheControlMessage) {
  StartWeb();
  StartDaemon();
  redis::SyncClient subscriber = Subscribe();
  httplib::Result result =
      PostJson("/api/runs", R"({"queries":123,"concurrency":4,"ttl_ms":900})");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 202) << result->body;
  Json answer = Body(result);
  const std::string id = answer.value("id", "");
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(answer["status_url"], "/api/stats");

  absl::StatusOr<std::string> message = subscriber.ReadMessage(kDeadline);
  ASSERT_TRUE(message.ok()) << message.status();
  Json command = Json::parse(*message);
  EXPECT_EQ(command["cmd"], "run");
  EXPECT_EQ(command["queries"], 123);
  EXPECT_EQ(command["concurrency"], 4);
  EXPECT_EQ(command["ttl_ms"], 900);
  EXPECT_EQ(command["id"], id);
  EXPECT_EQ(WaitForRunEnd(id)["done"], 123);
}

TEST_F(WebApiTest, PostRunKeepsAGivenId) {
  StartWeb();
  StartDaemon();
  redis::SyncClient subscriber = Subscribe();
  httplib::Result result = PostJson("/api/runs", R"({"id":"mine-1"})");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 202) << result->body;
  EXPECT_EQ(Body(result)["id"], "mine-1");
  absl::StatusOr<std::string> message = subscriber.ReadMessage(kDeadline);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(Json::parse(*message)["id"], "mine-1");
  EXPECT_EQ(Json::parse(*message)["queries"], 1000);  // The default.
  EXPECT_EQ(WaitForRunEnd("mine-1")["done"], 1000);
}

TEST_F(WebApiTest, PostRunWhileARunIsGoingIs409) {
  StartWeb();
  // The web refuses these itself, before any daemon hears of them.
  redis::SyncClient subscriber = Subscribe();
  Set(Key("stats"), SampleStats("r9", "running"));
  httplib::Result result = PostJson("/api/runs", R"({"queries":10})");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 409) << result->body;
  EXPECT_EQ(Body(result)["run_id"], "r9");

  // The newer of the stats and the heartbeat decides (both carry the
  // daemon's updated_at): a heartbeat that says running, newer than stats
  // that say finished, means a new run has begun.
  Set(Key("stats"), SampleStats("r9", "finished", "2026-01-01T10:00:00.000Z"));
  Set(Key("daemon"),
      R"({"state":"running","updated_at":"2026-01-01T10:00:01.000Z"})");
  result = PostJson("/api/runs", R"({"queries":10})");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 409) << result->body;

  // Stats a daemon left "running" when it died mid-run do not block runs once
  // a newer heartbeat says idle.
  // A real daemon's heartbeat, written as it starts, is that newer one.
  Set(Key("stats"), SampleStats("r9", "running", "2026-01-01T10:00:00.000Z"));
  StartDaemon();
  ASSERT_TRUE(WaitFor(
      [&] { return GetJson(Key("daemon")).value("state", "") == "idle"; },
      kDeadline));
  result = PostJson("/api/runs", R"({"queries":10,"id":"after-r9"})");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 202) << result->body;
  EXPECT_EQ(WaitForRunEnd("after-r9")["done"], 10);
}

// Two starts at once both pass the web's "no run going" check when neither
// run has begun; the daemon starts one and refuses the other (busy), and the
// web answers each with what the daemon said.
TEST_F(WebApiTest, OfTwoStartsAtOnceOneRunsAndTheOtherIs409) {
  StartWeb();
  StartDaemon();
  int refused_by_daemon = 0;
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    std::vector<std::string> ids = {absl::StrCat("twin-a", round),
                                    absl::StrCat("twin-b", round)};
    std::vector<int> statuses(2, 0);
    std::vector<Json> bodies(2);
    std::vector<std::thread> posts;
    for (int i = 0; i < 2; ++i) {
      posts.emplace_back([&, i] {
        httplib::Client client("127.0.0.1", web_->port());
        client.set_read_timeout(15);
        httplib::Result r = client.Post(
            "/api/runs",
            absl::StrCat(R"({"queries":10000000,"concurrency":2,"id":")",
                         ids[i], R"("})"),
            "application/json");
        if (r) {
          statuses[i] = r->status;
          bodies[i] = Json::parse(r->body, nullptr, false);
        }
      });
    }
    for (std::thread& t : posts) t.join();
    const int started = statuses[0] == 202 ? 0 : 1;
    ASSERT_EQ(statuses[started], 202) << bodies[started].dump();
    ASSERT_EQ(statuses[1 - started], 409) << bodies[1 - started].dump();
    const Json& refusal = bodies[1 - started];
    if (refusal.value("daemon_error", "") == "busy") {
      ++refused_by_daemon;
      EXPECT_THAT(
          refusal.value("error", ""),
          HasSubstr("dbcached refused the run: busy: run " + ids[started]));
      EXPECT_EQ(refusal["id"], ids[1 - started]);
    } else {
      EXPECT_EQ(refusal["run_id"], ids[started]) << refusal.dump();
    }
    // The run that was answered 202 is the one going; the other never ran.
    Json stats = PollJson("/api/stats", [&](const Json& st) {
      return st.value("state", "") == "running";
    });
    EXPECT_EQ(stats["run_id"], ids[started]);
    httplib::Result cancel = PostJson("/api/runs/current/cancel", "");
    ASSERT_TRUE(cancel);
    ASSERT_EQ(cancel->status, 202);
    EXPECT_EQ(WaitForRunEnd(ids[started])["state"], "cancelled");
  }
  std::cout << "of 5 concurrent second starts, " << refused_by_daemon
            << " passed the web's check and were refused by the daemon\n";
  EXPECT_TRUE(WaitFor(
      [&] { return GetJson(Key("daemon")).value("runs_started", 0) == 5; },
      kDeadline))
      << GetJson(Key("daemon")).dump();
}

// A compare asked for over HTTP is answered once the daemon has started it;
// its record is then served whole by id and listed without its series, and
// the page's URL for it is /?compare=<id>.
TEST_F(WebApiTest, PostCompareStartsOneAndItsRecordIsServedById) {
  StartWeb();
  StartDaemon();
  httplib::Result result = PostJson(
      "/api/compares",
      R"({"queries":1500,"concurrency":2,"keys":30,"rate":1000,"id":"cmp1"})");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 202) << result->body;
  Json answer = Body(result);
  EXPECT_EQ(answer["id"], "cmp1");
  EXPECT_EQ(answer["compare_url"], "/api/compares/cmp1");
  EXPECT_EQ(answer["page_url"], "/?compare=cmp1");
  EXPECT_EQ(answer["runs"], (Json{"cmp1-off", "cmp1-on"}));
  EXPECT_EQ(answer["command"]["cmd"], "compare");
  EXPECT_EQ(result->get_header_value("Location"), "/api/compares/cmp1");

  // Busy while it goes (1.5 s a run at 1,000/s), whichever run is going.
  httplib::Result busy = PostJson("/api/compares", R"({"queries":10})");
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 409) << busy->body;

  const Json record = PollJson("/api/compares/cmp1", [](const Json& r) {
    return r.value("state", "") == "finished";
  });
  EXPECT_EQ(record["off"]["done"], 1500);
  EXPECT_EQ(record["on"]["done"], 1500);
  EXPECT_EQ(record["off"]["db_queries"], 1500);
  EXPECT_EQ(record["on"]["db_queries"], 30);  // each key once, from empty
  EXPECT_TRUE(record["speedup"]["wall"].is_number());
  EXPECT_GE(record["series"]["off"]["points"].size(), 1u);
  EXPECT_GE(record["series"]["on"]["points"].size(), 1u);
  // Each run's own summary adds up, and says which compare it is part of.
  httplib::Result runs = web_->client().Get("/api/runs");
  ASSERT_TRUE(runs);
  int marked = 0;
  const Json history = Body(runs);
  for (const Json& run : history["runs"]) {
    ExpectCountsAddUp(run);
    if (run["compare"].is_object()) {
      EXPECT_EQ(run["compare"]["id"], "cmp1");
      EXPECT_EQ(run["run_id"],
                "cmp1-" + run["compare"]["role"].get<std::string>());
      ++marked;
    }
  }
  EXPECT_EQ(marked, 2) << runs->body;

  httplib::Result list = web_->client().Get("/api/compares");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  const Json compares = Body(list)["compares"];
  ASSERT_EQ(compares.size(), 1u);
  EXPECT_EQ(compares[0]["compare_id"], "cmp1");
  EXPECT_FALSE(compares[0].contains("series"));
  EXPECT_EQ(compares[0]["speedup"], record["speedup"]);

  httplib::Result missing = web_->client().Get("/api/compares/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_THAT(Body(missing)["error"].get<std::string>(),
              HasSubstr("no compare 'nope'"));
  httplib::Result post = PostJson("/api/compares/cmp1", "{}");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  httplib::Result cache = PostJson("/api/compares", R"({"cache":true})");
  ASSERT_TRUE(cache);
  EXPECT_EQ(cache->status, 400);
  EXPECT_EQ(Body(cache)["field"], "cache");
}

TEST_F(WebApiTest, ARunTheDaemonRefusesIs400WithItsWords) {
  StartWeb();
  StartDaemon();
  httplib::Result result =
      PostJson("/api/runs", R"({"workload":"nope","id":"no-such"})");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 400) << result->body;
  const Json body = Body(result);
  EXPECT_EQ(body["daemon_error"], "unknown_workload");
  EXPECT_EQ(body["id"], "no-such");
  EXPECT_THAT(body.value("error", ""),
              HasSubstr("dbcached refused the run: unknown workload 'nope'"));
}

TEST_F(WebApiTest, ADaemonThatNeverAnswersIs503AtTheDeadline) {
  StartWeb({"--run_start_timeout_ms=400"});
  redis::SyncClient subscriber = Subscribe();  // Hears, never answers.
  const absl::Time start = absl::Now();
  httplib::Result result = PostJson("/api/runs", R"({"id":"unheard"})");
  const absl::Duration took = absl::Now() - start;
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 503) << result->body;
  EXPECT_THAT(Body(result).value("error", ""),
              HasSubstr("dbcached did not answer run unheard within 400ms"));
  EXPECT_GE(took, absl::Milliseconds(400));
  EXPECT_LT(took, absl::Seconds(5));
  absl::StatusOr<std::string> message = subscriber.ReadMessage(kDeadline);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(Json::parse(*message)["id"], "unheard");
}

TEST_F(WebApiTest, RunStartsAreRateLimited) {
  // 6 a minute: a burst of 1, then one every 10 s.
  StartWeb({"--run_starts_per_minute=6"});
  StartDaemon();
  redis::SyncClient subscriber = Subscribe();
  httplib::Result result =
      PostJson("/api/runs", R"({"queries":10,"id":"first"})");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 202) << result->body;
  ASSERT_TRUE(subscriber.ReadMessage(kDeadline).ok());
  // Ended, so that the next start meets the limit and not the going run.
  WaitForRunEnd("first");

  result = PostJson("/api/runs", R"({"queries":10})");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 429) << result->body;
  const int retry_after = std::stoi(result->get_header_value("Retry-After"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 10);
  EXPECT_THAT(Body(result).value("error", ""),
              HasSubstr("too many runs started: at most 6 a minute"));
  // Refused starts publish nothing: the next message on the channel is a
  // marker the test publishes after the refusal.
  ASSERT_TRUE(primary_->Command({"PUBLISH", Key("control"), "marker"}).ok());
  absl::StatusOr<std::string> message = subscriber.ReadMessage(kDeadline);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(*message, "marker");
}

TEST_F(WebApiTest, BadParametersAre400NamingTheField) {
  StartWeb();
  struct Case {
    std::string body;
    std::string field;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {R"({"queries":0})", "queries", "out of range"},
      {R"({"querys":5})", "querys", "did you mean 'queries'"},
      {R"({"queries":"x"})", "queries", "must be an integer"},
      {R"({"concurrency":2000})", "concurrency", "out of range"},
      {R"({"ttl_ms":1.5})", "ttl_ms", "not an integer"},
  };
  for (const Case& c : cases) {
    httplib::Result result = PostJson("/api/runs", c.body);
    ASSERT_TRUE(result) << c.body;
    EXPECT_EQ(result->status, 400) << c.body;
    Json body = Body(result);
    EXPECT_EQ(body.value("field", ""), c.field) << c.body;
    EXPECT_THAT(body.value("error", ""), HasSubstr(c.message_part)) << c.body;
  }
  httplib::Result result = PostJson("/api/runs", "{not json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 400);
  EXPECT_THAT(Body(result).value("error", ""), HasSubstr("not valid JSON"));
}

TEST_F(WebApiTest, OversizedBodyIs413) {
  WebProcess& web = StartWeb();
  const std::string big =
      absl::StrCat(R"({"id":")", std::string(20 * 1024, 'a'), R"("})");
  httplib::Result result = PostJson("/api/runs", big);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 413);
  EXPECT_THAT(Body(result).value("error", ""), HasSubstr("exceeds"));
  // The server is still fine afterwards.
  httplib::Result stats = web.client().Get("/api/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 200);
}

TEST_F(WebApiTest, WrongContentTypeIs415) {
  WebProcess& web = StartWeb();
  httplib::Result result =
      web.client().Post("/api/runs", R"({"queries":10})", "text/plain");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 415);
  result = web.client().Post("/api/runs", "queries=10",
                             "application/x-www-form-urlencoded");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 415);
}

TEST_F(WebApiTest, UnknownRoutesAre404AndWrongMethods405) {
  WebProcess& web = StartWeb();
  httplib::Result result = web.client().Get("/api/nope");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 404);
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  EXPECT_THAT(Body(result).value("error", ""), HasSubstr("/api/nope"));

  result = web.client().Delete("/api/stats");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  EXPECT_EQ(result->get_header_value("Allow"), "GET");

  result = web.client().Get("/api/runs/current/cancel");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  EXPECT_EQ(result->get_header_value("Allow"), "POST");
}

TEST_F(WebApiTest, CancelPublishesCancel) {
  StartWeb();
  httplib::Result result = PostJson("/api/runs/current/cancel", "");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 503);

  redis::SyncClient subscriber = Subscribe();
  result = PostJson("/api/runs/current/cancel", "");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 202) << result->body;
  absl::StatusOr<std::string> message = subscriber.ReadMessage(kDeadline);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(Json::parse(*message)["cmd"], "cancel");
}

TEST_F(WebApiTest, CrossOriginPostIs403) {
  StartWeb();
  StartDaemon();
  httplib::Result result =
      PostJson("/api/runs", "{}", {{"Origin", "http://evil.example"}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 403);
  const std::string same_origin =
      absl::StrCat("http://127.0.0.1:", web_->port());
  result = PostJson("/api/runs", R"({"id":"same-origin"})",
                    {{"Origin", same_origin}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 202) << result->body;
  EXPECT_EQ(WaitForRunEnd("same-origin")["done"], 1000);
}

// DNS rebinding: a page on evil.example points its name at 127.0.0.1; its
// requests then carry Host and Origin that agree, with its own name.
TEST_F(WebApiTest, ARebindingPagesHostIsRefusedAndListedNamesServed) {
  WebProcess& web = StartWeb({"--allowed_hosts=dbcache.test,.corp.test"});
  StartDaemon();
  redis::SyncClient subscriber = Subscribe();
  const std::string port = absl::StrCat(web_->port());
  const std::string evil = "evil.example:" + port;
  httplib::Result result =
      PostJson("/api/runs", R"({"id":"rebound"})",
               {{"Host", evil}, {"Origin", "http://" + evil}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 403);
  EXPECT_THAT(result->body, HasSubstr("--allowed_hosts"));
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  result = web.client().Get("/api/status", {{"Host", evil}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 403);

  // The listed names, an address and localhost are served.
  for (const std::string& host :
       {"dbcache.test:" + port, "web.corp.test:" + port, "localhost:" + port,
        "127.0.0.1:" + port}) {
    result = web.client().Get("/healthz", {{"Host", host}});
    ASSERT_TRUE(result) << host;
    EXPECT_NE(result->status, 403) << host;
  }
  const std::string listed = "dbcache.test:" + port;
  result = PostJson("/api/runs", R"({"id":"listed"})",
                    {{"Host", listed}, {"Origin", "http://" + listed}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 202) << result->body;
  // The refused start never reached the daemon: the first message is this one.
  absl::StatusOr<std::string> message = subscriber.ReadMessage(kDeadline);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(Json::parse(*message)["id"], "listed");
  WaitForRunEnd("listed");
}

TEST_F(WebApiTest, TokenGuardsPostsAndNeverShows) {
  const std::string token = "t0ps3cret-token";
  WebProcess& web = StartWeb({"--web_token=" + token});
  StartDaemon();

  httplib::Result result = PostJson("/api/runs", R"({"queries":10})");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 401);
  EXPECT_EQ(result->get_header_value("WWW-Authenticate"),
            "Bearer realm=\"dbcache\"");
  EXPECT_THAT(result->body, Not(HasSubstr(token)));

  result = PostJson("/api/runs", R"({"queries":10})",
                    {{"Authorization", "Bearer wrong"}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 401);
  result = PostJson("/api/runs/current/cancel", "",
                    {{"Authorization", "Bearer wrong"}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 401);

  result = PostJson("/api/runs", R"({"queries":10,"id":"with-token"})",
                    {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 202) << result->body;
  WaitForRunEnd("with-token");

  // Reads need no token.
  result = web.client().Get("/api/stats");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  for (const char* path : {"/api/status", "/metrics", "/healthz"}) {
    httplib::Result r = web.client().Get(path);
    ASSERT_TRUE(r);
    EXPECT_THAT(r->body, Not(HasSubstr(token))) << path;
  }
  EXPECT_THAT(web.Output(), Not(HasSubstr(token)));
}

TEST_F(WebApiTest, PageAndAssetsWithSecurityHeaders) {
  WebProcess& web = StartWeb();
  httplib::Result page = web.client().Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_THAT(page->get_header_value("Content-Security-Policy"),
              HasSubstr("default-src 'self'"));
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-cache");
  EXPECT_THAT(page->body, HasSubstr("Query DB"));

  httplib::Result chart = web.client().Get("/vendor/chart.min.js");
  ASSERT_TRUE(chart);
  EXPECT_EQ(chart->status, 200);
  EXPECT_EQ(chart->get_header_value("Content-Type"),
            "text/javascript; charset=utf-8");
  EXPECT_THAT(chart->body, HasSubstr("Chart.js"));

  const std::string etag = chart->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  httplib::Result again =
      web.client().Get("/vendor/chart.min.js", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());

  httplib::Result css = web.client().Get("/style.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css; charset=utf-8");
}

TEST_F(WebApiTest, UnreachableReaderIs503WithUpZero) {
  // A reader port nobody listens on.
  const int dead_port = FreeTcpPort();
  web_ = std::make_unique<WebProcess>(
      prefix_,
      std::vector<std::string>{"--redis_reader_port=" +
                               std::to_string(dead_port)},
      std::vector<std::string>{}, /*wait_ready=*/false);
  WebProcess& web = *web_;
  ASSERT_TRUE(
      WaitFor([&] { return static_cast<bool>(web.client().Get("/healthz")); },
              kDeadline))
      << web.Output();
  httplib::Result health = web.client().Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  EXPECT_EQ(Body(health)["reader"], "error");
  httplib::Result stats = web.client().Get("/api/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 503);
  EXPECT_THAT(Body(stats).value("error", ""),
              HasSubstr(absl::StrCat("127.0.0.1:", dead_port)));
  httplib::Result metrics = web.client().Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->body, HasSubstr("\ndbcache_up 0\n"));
}

// A reader that accepts and never replies (a stalled replica, a half-open
// connection) must not stall the page: /healthz and /api/status answer 503
// within a second, all of them at once, and recover when it answers again.
TEST_F(WebApiTest, AStalledReaderIsAnswered503WithinASecond) {
  TcpProxy proxy(stack_.replica_port);
  ASSERT_GT(proxy.port(), 0);
  StartWeb({"--redis_reader_port=" + std::to_string(proxy.port())});
  StartDaemon();  // So that /healthz is 200 until the stall.
  PollJson("/healthz", [](const Json& body) {
    return body.value("daemon_state", "") == "idle";
  });
  proxy.Stall();
  // Two rounds of six requests at once; before each, the cached answer and
  // the pool's retry throttle (250 ms) run out, so that each round meets the
  // stalled connection afresh.
  for (int round = 0; round < 2; ++round) {
    absl::SleepFor(absl::Milliseconds(300));
    std::vector<std::thread> requests;
    std::vector<int> statuses(6, 0);
    std::vector<absl::Duration> took(6);
    std::vector<Json> bodies(6);
    for (int i = 0; i < 6; ++i) {
      requests.emplace_back([&, i] {
        httplib::Client client("127.0.0.1", web_->port());
        client.set_read_timeout(10);
        const absl::Time start = absl::Now();
        httplib::Result r = client.Get(i % 2 == 0 ? "/healthz" : "/api/status");
        took[i] = absl::Now() - start;
        if (r) {
          statuses[i] = r->status;
          bodies[i] = Json::parse(r->body, nullptr, false);
        }
      });
    }
    for (std::thread& t : requests) t.join();
    absl::Duration slowest;
    for (int i = 0; i < 6; ++i) {
      SCOPED_TRACE(absl::StrCat("round ", round, ", request ", i, ": ",
                                bodies[i].dump()));
      EXPECT_EQ(statuses[i], 503);
      EXPECT_EQ(bodies[i].value("reader", ""), "error");
      // The reader's 750 ms timeout, with room for a loaded machine.
      EXPECT_LT(took[i], absl::Milliseconds(1500));
      slowest = std::max(slowest, took[i]);
    }
    // One of them did wait on the stalled reader (the others shared its
    // answer), so the bound above is the timeout's, not a cached error's.
    EXPECT_GT(slowest, absl::Milliseconds(500));
    std::cout << "round " << round << ": 6 requests with the reader stalled, "
              << "slowest " << absl::FormatDuration(slowest) << "\n";
  }
  proxy.Resume();
  PollJson("/healthz",
           [](const Json& body) { return body.value("reader", "") == "ok"; });
}

// A status page's load: 20 browsers, each on one keep-alive connection,
// polling /api/status every 250 ms during a run. Every poll is answered, and
// within the interval, so that no page falls behind; then SIGTERM with the
// 20 connections open still stops the server promptly.
TEST_F(WebApiTest, TwentyKeepAlivePollersAreAllServedEvery250ms) {
  StartWeb();
  StartDaemon();
  httplib::Result started = PostJson(
      "/api/runs", R"({"queries":10000000,"concurrency":4,"id":"polled"})");
  ASSERT_TRUE(started);
  ASSERT_EQ(started->status, 202) << started->body;

  constexpr int kPollers = 20;
  constexpr absl::Duration kInterval = absl::Milliseconds(250);
  constexpr int kPolls = 12;  // 3 s of polling each.
  struct Poller {
    int answered = 0;
    int failed = 0;
    absl::Duration slowest;
    std::string last_error;
  };
  std::vector<Poller> pollers(kPollers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kPollers; ++i) {
    threads.emplace_back([&, i] {
      httplib::Client client("127.0.0.1", web_->port());
      client.set_keep_alive(true);
      client.set_read_timeout(5);
      Poller& me = pollers[i];
      absl::Time next = absl::Now();
      for (int poll = 0; poll < kPolls; ++poll) {
        const absl::Time start = absl::Now();
        httplib::Result r = client.Get("/api/status");
        const absl::Duration took = absl::Now() - start;
        me.slowest = std::max(me.slowest, took);
        if (r && r->status == 200 &&
            Json::parse(r->body, nullptr, false).value("reader", "") == "ok") {
          ++me.answered;
        } else {
          ++me.failed;
          me.last_error = r ? r->body : httplib::to_string(r.error());
        }
        next += kInterval;
        absl::SleepFor(next - absl::Now());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  absl::Duration slowest;
  for (int i = 0; i < kPollers; ++i) {
    SCOPED_TRACE(absl::StrCat("poller ", i, ": ", pollers[i].last_error));
    EXPECT_EQ(pollers[i].answered, kPolls);
    EXPECT_EQ(pollers[i].failed, 0);
    EXPECT_LT(pollers[i].slowest, kInterval);
    slowest = std::max(slowest, pollers[i].slowest);
  }
  std::cout << kPollers << " keep-alive pollers x " << kPolls
            << " polls during a run: slowest answer "
            << absl::FormatDuration(slowest) << "\n";
  // The run was going all along.
  EXPECT_EQ(GetJson(Key("stats")).value("state", ""), "running");
  httplib::Result cancel = PostJson("/api/runs/current/cancel", "");
  ASSERT_TRUE(cancel);
  ASSERT_EQ(cancel->status, 202);
  EXPECT_EQ(WaitForRunEnd("polled")["state"], "cancelled");

  // Stopping with pages open: 20 idle keep-alive connections.
  std::vector<std::unique_ptr<httplib::Client>> open_pages;
  for (int i = 0; i < kPollers; ++i) {
    open_pages.push_back(
        std::make_unique<httplib::Client>("127.0.0.1", web_->port()));
    open_pages.back()->set_keep_alive(true);
    ASSERT_TRUE(open_pages.back()->Get("/healthz"));
  }
  const absl::Time stop = absl::Now();
  web_->process().Signal(SIGTERM);
  EXPECT_EQ(web_->process().WaitForExit(absl::Seconds(10)), 0)
      << web_->Output();
  const absl::Duration stopping = absl::Now() - stop;
  std::cout << "SIGTERM with " << kPollers << " keep-alive connections open: "
            << "exited in " << absl::FormatDuration(stopping) << "\n";
  // Idle connections end within httplib's keep-alive timeout (2 s).
  EXPECT_LT(stopping, absl::Seconds(4));
}

// What is not HTTP, and what httplib refuses before any route, still gets
// the API's JSON error, and the server goes on.
TEST_F(WebApiTest, MalformedRequestsAreJsonErrorsAndTheServerGoesOn) {
  WebProcess& web = StartWeb();
  for (const auto& [request, status] :
       std::vector<std::pair<std::string, std::string>>{
           {"GARBAGE\r\n\r\n", "400"},
           {"BREW /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "400"},
           {absl::StrCat("GET /", std::string(9000, 'a'),
                         " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
            "414"},
           // httplib would read a chunked body past its limit.
           {"POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
            "application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            "2\r\n{}\r\n0\r\n\r\n",
            "411"},
           // and not a GET's at all: it would be read as the next request.
           {"GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
            "5\r\n\r\nhello",
            "400"}}) {
    SCOPED_TRACE(request.substr(0, 40));
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(web.port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(
        connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    ASSERT_EQ(write(fd, request.data(), request.size()),
              static_cast<ssize_t>(request.size()));
    // Read until the answer is whole (it may keep the connection open) or the
    // server closes; never longer than the receive timeout.
    const timeval timeout{.tv_sec = 5, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    std::string answer;
    char buffer[4096];
    for (ssize_t n; (n = read(fd, buffer, sizeof(buffer))) > 0;) {
      answer.append(buffer, static_cast<size_t>(n));
      const size_t head_end = answer.find("\r\n\r\n");
      const size_t length_at = answer.find("Content-Length: ");
      if (head_end != std::string::npos && length_at != std::string::npos &&
          answer.size() >=
              head_end + 4 + std::stoul(answer.substr(length_at + 16))) {
        break;
      }
    }
    close(fd);
    EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 " + status + " "));
    EXPECT_THAT(answer, HasSubstr("Content-Type: application/json"));
    EXPECT_THAT(answer, HasSubstr("{\"error\":"));
  }
  httplib::Result stats = web.client().Get("/api/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 200);
}

TEST_F(WebApiTest, OutOfRangeFlagsAreUsageErrors) {
  for (const auto& [flag, message] :
       std::vector<std::pair<std::string, std::string>>{
           {"--web_threads=0", "--web_threads=0 is out of range 1..1024"},
           {"--run_starts_per_minute=6001",
            "--run_starts_per_minute=6001 is out of range 1..6000"},
           {"--run_start_timeout_ms=0",
            "--run_start_timeout_ms=0 is out of range 1..600000"}}) {
    RunResult result = RunProgram(
        {stack_.bin_dir + "/dbcache-web", "--listen=127.0.0.1:0", flag}, {},
        absl::Seconds(10));
    EXPECT_EQ(result.exit_code, 2) << flag << ": " << result.output;
    EXPECT_THAT(result.output, HasSubstr(message));
  }
}

TEST_F(WebApiTest, PortInUseIsAnError) {
  WebProcess& web = StartWeb();
  RunResult second = RunProgram(
      {stack_.bin_dir + "/dbcache-web",
       "--listen=127.0.0.1:" + std::to_string(web.port()), "--web_token="},
      {}, absl::Seconds(10));
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_THAT(second.output, HasSubstr("Address already in use"));
}

TEST(WebProgramTest, RefusesAnOpenAddressWithoutAToken) {
  const StackEnv& stack = StackEnv::Get();
  RunResult result = RunProgram(
      {stack.bin_dir + "/dbcache-web",
       "--listen=0.0.0.0:" + std::to_string(FreeTcpPort()), "--web_token="},
      {"DBCACHE_WEB_TOKEN="}, absl::Seconds(10));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("--allow_unauthenticated"));
}

TEST(WebProgramTest, AllowUnauthenticatedStartsWithAWarningAndStopsOnSigterm) {
  const StackEnv& stack = StackEnv::Get();
  const int port = FreeTcpPort();
  ChildProcess web(
      {stack.bin_dir + "/dbcache-web",
       "--listen=0.0.0.0:" + std::to_string(port), "--allow_unauthenticated",
       "--web_token=", "--redis_port=" + std::to_string(stack.redis_port),
       "--redis_reader_port=" + std::to_string(stack.replica_port)},
      {"DBCACHE_WEB_TOKEN="});
  httplib::Client client("127.0.0.1", port);
  ASSERT_TRUE(WaitFor([&] { return static_cast<bool>(client.Get("/healthz")); },
                      kDeadline))
      << web.Output();
  EXPECT_THAT(web.Output(), HasSubstr("without a token"));
  web.Signal(SIGTERM);
  EXPECT_EQ(web.WaitForExit(absl::Seconds(10)), 0) << web.Output();
}

TEST(WebProgramTest, HelpAndBadArguments) {
  const StackEnv& stack = StackEnv::Get();
  RunResult help = RunProgram({stack.bin_dir + "/dbcache-web", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.output, HasSubstr("--listen"));
  EXPECT_THAT(help.output, HasSubstr("--allow_unauthenticated"));
  RunResult bad = RunProgram({stack.bin_dir + "/dbcache-web", "--listen=nope"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  RunResult extra = RunProgram({stack.bin_dir + "/dbcache-web", "extra"});
  EXPECT_EQ(extra.exit_code, 2) << extra.output;
}

}  // namespace
}  // namespace dbcache::testing
