// Faults against real servers: each server of the fixture's stack is killed or
// slowed in turn; dbcached must survive, say what happened, and run again
// after. The stack is shared, so every test restores it (local-stack.sh start)
// before it ends.
#include <signal.h>

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "tests/integration/daemon/daemon_fixture.h"
#include "tests/integration/support/run_counts.h"
#include "tests/integration/support/subscribers.h"
#include "tests/integration/support/tcp_proxy.h"

namespace dbcache::testing {
namespace {

using ::testing::HasSubstr;

class FaultTest : public DaemonTest {
 protected:
  void TearDown() override {
    // Whatever a test broke is running again before the next one starts.
    EXPECT_TRUE(stack_.Restart());
    ReconnectClients();
    DaemonTest::TearDown();
  }

  void ReconnectClients() {
    auto connect = [](int port) -> std::optional<redis::SyncClient> {
      absl::StatusOr<redis::SyncClient> c = redis::SyncClient::Connect(
          {"127.0.0.1", port, "", "", absl::Seconds(5)});
      if (!c.ok()) return std::nullopt;
      return *std::move(c);
    };
    primary_ = connect(stack_.redis_port);
    reader_ = connect(stack_.replica_port);
    events_ = connect(stack_.redis_port);
    ASSERT_TRUE(primary_ && reader_ && events_);
    ASSERT_TRUE(events_->Command({"SUBSCRIBE", Key("events")}).ok());
  }

  void Kill(const std::string& server) {
    const int pid = stack_.ServerPid(server);
    ASSERT_GT(pid, 0) << server;
    ASSERT_EQ(kill(pid, SIGKILL), 0) << server;
    ASSERT_TRUE(WaitFor([&] { return kill(pid, 0) != 0; }, absl::Seconds(5)))
        << server << " did not die";
  }

  // Polls <prefix>stats on the primary until the run has done `n` queries.
  void WaitForProgress(int n) {
    ASSERT_TRUE(WaitFor(
        [&] {
          nlohmann::json s = GetJson(*primary_, Key("stats"));
          return s.is_object() && s["done"].get<int>() >= n;
        },
        absl::Seconds(20)));
  }

  // Waits for the run to end, reading <prefix>stats (events may be lost while a
  // server is down; the snapshot is rewritten once it is back).
  nlohmann::json WaitForRunEnd(absl::Duration timeout) {
    nlohmann::json stats;
    WaitFor(
        [&] {
          stats = GetJson(*primary_, Key("stats"));
          return stats.is_object() && stats["state"] != "running";
        },
        timeout);
    return stats;
  }

  // Waits until the daemon's heartbeat shows its reader connection up or down.
  bool WaitForReader(bool connected, absl::Duration timeout) {
    return WaitFor(
        [&] {
          nlohmann::json h = GetJson(*primary_, Key("daemon"));
          return h.is_object() &&
                 (h["connections"]["reader"] == "connected") == connected;
        },
        timeout);
  }

  // The summary of run `id` (events of earlier runs may still be on their way).
  nlohmann::json WaitForRun(const std::string& id) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      nlohmann::json event =
          WaitForEvent("run_finished", deadline - absl::Now());
      if (event.is_object() && event["run_id"] == id) return event["summary"];
    }
    ADD_FAILURE() << "run " << id << " did not finish";
    return nlohmann::json::object();
  }

  // Lines of `text` that contain both `a` and, after it, `b`.
  static int CountLines(const std::string& text, absl::string_view a,
                        absl::string_view b) {
    int count = 0;
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      const size_t at = line.find(a);
      if (at != absl::string_view::npos &&
          line.find(b, at + a.size()) != absl::string_view::npos) {
        ++count;
      }
    }
    return count;
  }
};

TEST_F(FaultTest, PrimaryKilledMidRunRestartedTwoSecondsLater) {
  StartDaemon();
  // A run that outlasts the scenario on any machine: the test ends it with a
  // cancel once the daemon is back, instead of waiting for a fixed number of
  // queries whose duration depends on the machine (and the sanitizers).
  ASSERT_EQ(Publish("run queries=10000000 concurrency=8 id=outage"), 1);
  WaitForProgress(2000);
  Kill("redis-primary");
  // The scenario itself: the primary stays away for two seconds.
  absl::SleepFor(absl::Seconds(2));
  ASSERT_TRUE(stack_.Restart());
  ReconnectClients();
  // The daemon resubscribes: the control channel has its listener again.
  ASSERT_TRUE(WaitForSubscribers(*primary_, Key("control"), 1))
      << daemon_->Output();
  // The run went on through the outage: its snapshots reach the restarted
  // primary (which lost everything) and keep moving.
  int64_t done_after_restart = -1;
  ASSERT_TRUE(WaitFor(
      [&] {
        nlohmann::json s = GetJson(*primary_, Key("stats"));
        if (!s.is_object() || s["run_id"] != "outage") return false;
        const int64_t done = s["done"].get<int64_t>();
        if (done_after_restart < 0) done_after_restart = done;
        return s["state"] != "running" || done > done_after_restart;
      },
      absl::Seconds(30)))
      << daemon_->Output();
  ASSERT_EQ(Publish("cancel"), 1);
  // The run ends (cancelled, or failed with its reason), and its final
  // snapshot is written to the restarted primary.
  nlohmann::json end = WaitForRunEnd(absl::Seconds(60));
  ASSERT_TRUE(end.is_object()) << daemon_->Output();
  EXPECT_EQ(end["run_id"], "outage");
  EXPECT_THAT(end["state"].get<std::string>(),
              ::testing::AnyOf("cancelled", "failed"));
  if (end["state"] == "failed") {
    EXPECT_NE(end["reason"], "");
  }
  ExpectCountsAddUp(end);
  EXPECT_GT(end["done"].get<int64_t>(), 2000);
  // Logged once per connection, not once per attempt.
  const std::string log = daemon_->Output();
  EXPECT_EQ(CountLines(log, "redis primary ", "reconnecting"), 1) << log;
  EXPECT_EQ(CountLines(log, "redis subscriber ", "reconnecting"), 1) << log;
  EXPECT_EQ(CountLines(log, "redis subscriber ", "connected again"), 1) << log;
  // A run published after the restart works.
  ASSERT_EQ(Publish("run queries=500 id=after-restart"), 1);
  nlohmann::json next = WaitForRun("after-restart");
  EXPECT_EQ(next["state"], "finished");
  ExpectCountsAddUp(next);
  EXPECT_EQ(next["done"], 500);
  EXPECT_EQ(next["errors"], 0);
}

TEST_F(FaultTest, ReaderDownFallsBackToThePrimary) {
  StartDaemon();
  ASSERT_EQ(Publish("run queries=2000 ttl_ms=60000"), 1);  // warm the cache
  ExpectCountsAddUp(WaitForEvent("run_finished")["summary"]);
  Kill("redis-replica");
  ASSERT_TRUE(WaitForReader(/*connected=*/false, absl::Seconds(10)));
  ASSERT_EQ(Publish("run queries=2000 ttl_ms=60000"), 1);
  nlohmann::json s = WaitForEvent("run_finished")["summary"];
  EXPECT_EQ(s["state"], "finished");
  ExpectCountsAddUp(s);
  EXPECT_EQ(s["errors"], 0);
  EXPECT_GT(s["hits"].get<int>(), 1500);  // served by the primary
  ASSERT_TRUE(WaitFor(
      [&] {
        nlohmann::json h = GetJson(*primary_, Key("daemon"));
        return h.is_object() && h["reader_fallbacks"].get<int>() >= 2000;
      },
      absl::Seconds(10)));
}

TEST_F(FaultTest, ReaderDownWithoutFallbackCountsErrors) {
  StartDaemon({"--reader_fallback=none"});
  Kill("redis-replica");
  ASSERT_TRUE(WaitForReader(/*connected=*/false, absl::Seconds(10)));
  ASSERT_EQ(Publish("run queries=1000"), 1);
  nlohmann::json s = WaitForEvent("run_finished")["summary"];
  EXPECT_EQ(s["state"], "failed");
  EXPECT_THAT(s["reason"].get<std::string>(), HasSubstr("redis reader"));
  EXPECT_GT(s["errors_by_kind"]["cache_read"].get<int>(), 0);
  ExpectCountsAddUp(s);
  ASSERT_TRUE(stack_.Restart());
  ASSERT_TRUE(WaitForReader(/*connected=*/true, absl::Seconds(15)));
  ASSERT_EQ(Publish("run queries=200"), 1);
  nlohmann::json after = WaitForEvent("run_finished")["summary"];
  ExpectCountsAddUp(after);
  EXPECT_EQ(after["errors"], 0);
}

TEST_F(FaultTest, MariaDbKilledMidRunThenTheNextRunSucceeds) {
  StartDaemon();
  ASSERT_EQ(Publish("run queries=5000000 concurrency=4 cache=off"), 1);
  WaitForProgress(500);
  Kill("mariadb");
  nlohmann::json end = WaitForRunEnd(absl::Seconds(30));
  ASSERT_TRUE(end.is_object());
  EXPECT_EQ(end["state"], "failed");
  EXPECT_THAT(end["reason"].get<std::string>(), HasSubstr("MySQL"));
  EXPECT_GT(end["errors_by_kind"]["db"].get<int>(), 0);
  ExpectCountsAddUp(end);
  ASSERT_TRUE(stack_.Restart());
  ASSERT_EQ(Publish("run queries=300 concurrency=4 cache=off id=after-restart"),
            1);
  nlohmann::json next = WaitForRun("after-restart");
  EXPECT_EQ(next["state"], "finished") << next.dump();
  ExpectCountsAddUp(next);
  EXPECT_EQ(next["errors"], 0);
  EXPECT_EQ(next["misses"], 300);
}

// The MariaDB admin client (root over the unix socket); the answer's text,
// or a failure of the test.
std::string Admin(const StackEnv& stack, const std::string& sql) {
  std::ifstream path_file(stack.stack_dir + "/mariadb/socket.path");
  std::string socket;
  std::getline(path_file, socket);
  RunResult r =
      RunProgram({"/usr/bin/mariadb", "--no-defaults", "--protocol=socket",
                  "--socket=" + socket, "-N", "-B", "-e", sql});
  EXPECT_EQ(r.exit_code, 0) << sql << ": " << r.output;
  return std::string(absl::StripAsciiWhitespace(r.output));
}

// Sessions of the application user, the daemon's pool among them.
int AppSessions(const StackEnv& stack) {
  int n = -1;
  EXPECT_TRUE(absl::SimpleAtoi(
      Admin(
          stack,
          "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '" +
              stack.mysql_user + "'"),
      &n));
  return n;
}

// The server closes connections idle past wait_timeout (8 hours by default,
// often much less on RDS). Sessions take the global value when they connect,
// so the daemon's pool is opened under a 1 s one, which is then restored for
// everyone else; the test waits until the server has closed them.
class IdleTimeoutTest : public FaultTest {
 protected:
  void OpenPoolUnderShortWaitTimeout(std::vector<std::string> daemon_args) {
    original_ = Admin(stack_, "SELECT @@GLOBAL.wait_timeout");
    ASSERT_FALSE(original_.empty());
    Admin(stack_, "SET GLOBAL wait_timeout = 1");
    StartDaemon(std::move(daemon_args));
    nlohmann::json before =
        RunToEnd("run queries=200 concurrency=4 cache=off id=before-idle");
    Admin(stack_, "SET GLOBAL wait_timeout = " + original_);
    original_.clear();
    EXPECT_EQ(before["errors"], 0) << before.dump();
    EXPECT_EQ(before["misses"], 200);
    ASSERT_TRUE(
        WaitFor([&] { return AppSessions(stack_) == 0; }, absl::Seconds(15)))
        << "the server never closed the idle sessions";
  }
  void TearDown() override {
    if (!original_.empty()) {
      Admin(stack_, "SET GLOBAL wait_timeout = " + original_);
    }
    FaultTest::TearDown();
  }
  std::string original_;
};

// No probe before the run: each of its first reads finds its connection gone
// and is sent again on a fresh one, once, as a reconnect and not an error.
TEST_F(IdleTimeoutTest, AReadOnAConnectionTheServerClosedIsRetriedOnce) {
  ASSERT_NO_FATAL_FAILURE(
      OpenPoolUnderShortWaitTimeout({"--mysql_idle_probe_ms=86400000"}));
  nlohmann::json after =
      RunToEnd("run queries=200 concurrency=4 cache=off id=after-idle");
  EXPECT_EQ(after["state"], "finished") << after.dump();
  EXPECT_EQ(after["errors"], 0) << after.dump();
  EXPECT_EQ(after["misses"], 200);
  EXPECT_EQ(after["db_queries"], 200);
  // Each connection the server closed was reopened inside a statement.
  EXPECT_GE(after["latency_us"]["db_connect"]["count"].get<int>(), 1);
  EXPECT_LE(after["latency_us"]["db_connect"]["count"].get<int>(), 4);
}

// With the probe (the default probes connections idle 30 s; 0 probes all),
// the reconnects happen before the run: its statements meet none.
TEST_F(IdleTimeoutTest, ConnectionsIdleBeforeARunAreProbedAndReopenedFirst) {
  ASSERT_NO_FATAL_FAILURE(
      OpenPoolUnderShortWaitTimeout({"--mysql_idle_probe_ms=0"}));
  nlohmann::json after =
      RunToEnd("run queries=200 concurrency=4 cache=off id=after-idle");
  EXPECT_EQ(after["state"], "finished") << after.dump();
  EXPECT_EQ(after["errors"], 0) << after.dump();
  EXPECT_EQ(after["misses"], 200);
  EXPECT_EQ(after["latency_us"]["db_connect"]["count"], 0) << after.dump();
  EXPECT_GE(AppSessions(stack_), 1);
}

// A half-open path to Redis: the proxy stops forwarding and closes nothing,
// so every connection of the daemon looks up and hears nothing. Without a
// liveness probe the subscriber would stay "connected" and never hear a run
// message again.
TEST_F(FaultTest, AHalfOpenSubscriberIsNoticedDroppedAndResubscribed) {
  TcpProxy proxy(stack_.redis_port);
  ASSERT_GT(proxy.port(), 0);
  constexpr int kPingMs = 500;
  constexpr int kDeadlineMs = 500;
  StartDaemon({"--redis_port=" + std::to_string(proxy.port()),
               "--cache_reads=primary",
               "--redis_ping_interval_ms=" + std::to_string(kPingMs),
               "--command_timeout_ms=" + std::to_string(kDeadlineMs)});
  nlohmann::json before = RunToEnd("run queries=100 concurrency=2 id=before");
  EXPECT_EQ(before["state"], "finished");

  const std::string dropped = "no answer to a liveness SUBSCRIBE";
  ASSERT_EQ(CountLines(daemon_->Output(), "subscriber", dropped), 0);
  const absl::Time stalled_at = absl::Now();
  proxy.Stall();
  ASSERT_TRUE(WaitFor(
      [&] { return CountLines(daemon_->Output(), "subscriber", dropped) > 0; },
      absl::Seconds(10)))
      << daemon_->Output();
  const absl::Duration noticed = absl::Now() - stalled_at;
  std::cout << "half-open subscriber noticed in "
            << absl::ToInt64Milliseconds(noticed) << " ms\n";
  // Within two probe intervals and the deadline, and a little for the log.
  EXPECT_LE(noticed, absl::Milliseconds(2 * kPingMs + kDeadlineMs + 250));
  // Said once, not once per probe.
  EXPECT_EQ(CountLines(daemon_->Output(), "subscriber", dropped), 1);

  proxy.Resume();
  const absl::Time resumed = absl::Now();
  ASSERT_TRUE(WaitFor(
      [&] {
        return CountLines(daemon_->Output(), "subscriber",
                          "connected again, subscribed to") > 0;
      },
      absl::Seconds(15)))
      << daemon_->Output();
  // The primary's own reconnect may come later (its backoff grew while the
  // proxy was silent): a run started before it would fail its GETs.
  // A heartbeat written after the resume says so (the primary writes it; the
  // one in Redis before then may be from before the stall). The primary may
  // not have dropped at all, if a probe's answer came in as the proxy resumed.
  const std::string resumed_at =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", resumed, absl::UTCTimeZone());
  ASSERT_TRUE(WaitFor(
      [&] {
        nlohmann::json h = GetJson(*primary_, Key("daemon"));
        return h.is_object() && h.value("updated_at", "") > resumed_at &&
               h["connections"]["primary"] == "connected";
      },
      absl::Seconds(15)))
      << daemon_->Output();
  nlohmann::json after = RunToEnd("run queries=100 concurrency=2 id=after");
  EXPECT_EQ(after["state"], "finished") << after.dump();
  EXPECT_EQ(after["errors"], 0);
  ASSERT_TRUE(daemon_->running());
}

TEST_F(FaultTest, SlowQueriesTimeOutWhileOthersAndTheHeartbeatMoveOn) {
  // n = 1 sleeps 5 s; every other n answers at once.
  StartDaemon({"--sql=SELECT IF({} = 1, SLEEP(5), 0) AS slow",
               "--query_timeout_ms=400", "--mysql_pool_max=4"});
  ASSERT_EQ(
      Publish("run queries=400 concurrency=4 limit_max=4 cache=off seed=1"), 1);
  nlohmann::json started = WaitForEvent("run_started");
  const std::string first_beat =
      GetJson(*primary_, Key("daemon")).value("updated_at", "");
  // The heartbeat (every second) keeps moving while queries are stuck: the loop
  // never blocks. The deadline is below the 5 s a blocked loop would take.
  EXPECT_TRUE(WaitFor(
      [&] {
        nlohmann::json h = GetJson(*primary_, Key("daemon"));
        return h.is_object() && h["updated_at"] != first_beat;
      },
      absl::Seconds(4)));
  nlohmann::json s = WaitForEvent("run_finished", absl::Seconds(60))["summary"];
  EXPECT_GT(s["errors_by_kind"]["db"].get<int>(), 0);
  EXPECT_GT(s["misses"].get<int>(), 0);  // the fast ones got through
  EXPECT_THAT(s["last_error"].get<std::string>(), HasSubstr("timed out"));
  ExpectCountsAddUp(s);
}

// A Redis of the test's own with a password and an ACL user.
class AuthTest : public DaemonTest {
 protected:
  void StartSecuredRedis() {
    port_ = FreeTcpPort();
    redis_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        "/usr/bin/redis-server", "--port", std::to_string(port_), "--bind",
        "127.0.0.1", "--save", "", "--appendonly", "no", "--requirepass",
        "right-password"});
    std::optional<redis::SyncClient> admin;
    ASSERT_TRUE(WaitFor(
        [&] {
          absl::StatusOr<redis::SyncClient> c = redis::SyncClient::Connect(
              {"127.0.0.1", port_, "", "right-password", absl::Seconds(1)});
          if (c.ok()) admin.emplace(*std::move(c));
          return admin.has_value();
        },
        absl::Seconds(10)))
        << redis_->Output();
    absl::StatusOr<redis::ReplyPtr> acl = admin->Command(
        {"ACL", "SETUSER", "app", "on", ">app-password", "~*", "&*", "+@all"});
    ASSERT_TRUE(acl.ok() && (*acl)->type == REDIS_REPLY_STATUS);
  }

  std::vector<std::string> Args(const std::string& user,
                                const std::string& password) {
    return {"--redis_port=" + std::to_string(port_),
            "--redis_reader_port=" + std::to_string(port_),
            "--redis_username=" + user, "--redis_password=" + password,
            "--prefix=" + prefix_};
  }

  // Runs a dbcached against the secured Redis and returns it once subscribed.
  std::unique_ptr<ChildProcess> StartAgainst(
      const std::vector<std::string>& args) {
    std::vector<std::string> argv = {stack_.bin_dir + "/dbcached"};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<ChildProcess>(argv, stack_.ProgramEnv());
  }

  int port_ = 0;
  std::unique_ptr<ChildProcess> redis_;
};

TEST_F(AuthTest, PasswordAndAclUserWorkAndAWrongPasswordIsOneClearError) {
  StartSecuredRedis();
  for (const auto& [user, password] :
       std::vector<std::pair<std::string, std::string>>{
           {"", "right-password"}, {"app", "app-password"}}) {
    std::unique_ptr<ChildProcess> daemon = StartAgainst(Args(user, password));
    absl::StatusOr<redis::SyncClient> admin = redis::SyncClient::Connect(
        {"127.0.0.1", port_, "", "right-password", absl::Seconds(2)});
    ASSERT_TRUE(admin.ok());
    ASSERT_TRUE(admin->Command({"SUBSCRIBE", Key("events")}).ok());
    absl::StatusOr<redis::SyncClient> publisher = redis::SyncClient::Connect(
        {"127.0.0.1", port_, "", "right-password", absl::Seconds(2)});
    ASSERT_TRUE(publisher.ok());
    ASSERT_TRUE(WaitFor(
        [&] {
          absl::StatusOr<redis::ReplyPtr> r =
              publisher->Command({"PUBLISH", Key("control"), "ping"});
          return r.ok() && (*r)->integer == 1;
        },
        absl::Seconds(10)))
        << daemon->Output() << redis_->Output();
    ASSERT_TRUE(
        publisher->Command({"PUBLISH", Key("control"), "run queries=200"})
            .ok());
    bool finished = false;
    while (!finished) {
      absl::StatusOr<std::string> m = admin->ReadMessage(absl::Seconds(20));
      ASSERT_TRUE(m.ok()) << daemon->Output();
      nlohmann::json e = nlohmann::json::parse(*m, nullptr, false);
      if (e.value("event", "") == "run_finished") {
        ExpectCountsAddUp(e["summary"]);
        EXPECT_EQ(e["summary"]["done"], 200);
        EXPECT_EQ(e["summary"]["errors"], 0);
        finished = true;
      }
    }
    daemon->Signal(SIGTERM);
    EXPECT_EQ(daemon->WaitForExit(absl::Seconds(5)), 0);
  }
  // A wrong password: one clear error line per connection, not a reconnect
  // storm, and the daemon keeps running.
  std::unique_ptr<ChildProcess> wrong =
      StartAgainst(Args("", "wrong-password-123"));
  ASSERT_TRUE(WaitFor(
      [&] { return wrong->Output().find("AUTH failed") != std::string::npos; },
      absl::Seconds(10)));
  // Long enough for several reconnect attempts, were there any to make.
  absl::SleepFor(absl::Seconds(2));
  const std::string log = wrong->Output();
  EXPECT_TRUE(wrong->running());
  int auth_lines = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (absl::StrContains(line, "AUTH failed")) ++auth_lines;
  }
  EXPECT_EQ(auth_lines, 3) << log;  // primary, reader, subscriber: once each
  EXPECT_THAT(log, HasSubstr("REDIS_PASSWORD"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("wrong-password-123")));
  wrong->Signal(SIGTERM);
  EXPECT_EQ(wrong->WaitForExit(absl::Seconds(5)), 0) << log;
}

}  // namespace
}  // namespace dbcache::testing
