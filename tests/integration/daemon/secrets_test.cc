// Secrets (the MySQL and Redis passwords, the web token) never leave the
// programs: after runs with known secrets, none of them appears in any
// program's output or --help, in anything written to Redis, in any event, in
// `dbcachectl status`, or in dbcache-web's answers.
//
// The MySQL password is the stack's own (it cannot be changed); the Redis
// password belongs to a redis-server this test starts with --requirepass.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "tests/integration/daemon/daemon_fixture.h"
#include "tests/integration/support/run_counts.h"
#include "tests/integration/support/subscribers.h"

namespace dbcache::testing {
namespace {

constexpr char kRedisPassword[] = "rds-Pw-4f9Kq2Zx7Lm3";
constexpr char kWebToken[] = "web-Tk-8Hn2Vc5Rt1Yq";
// Given to `dbcachectl status` as a wrong password: not even a rejected secret
// may be echoed.
constexpr char kWrongPassword[] = "wrong-Pw-6Jd3Ws9Ea2";

// posix_spawn takes a path, not a name to look up.
std::string FindProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir :
       absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    std::string candidate = std::string(dir.data(), dir.size()) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "/usr/bin/" + name;
}

class SecretsTest : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    if (HasFatalFailure()) return;
    // A distinctive password is needed for the grep to mean anything.
    ASSERT_GE(stack_.mysql_password.size(), 8u);
    secrets_ = {{"the MySQL password", stack_.mysql_password},
                {"the Redis password", kRedisPassword},
                {"the web token", kWebToken},
                {"a wrong Redis password", kWrongPassword}};

    redis_port_ = FreeTcpPort();
    ASSERT_GT(redis_port_, 0);
    redis_server_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        FindProgram("redis-server"), "--port", std::to_string(redis_port_),
        "--bind", "127.0.0.1", "--requirepass", kRedisPassword, "--save", "",
        "--appendonly", "no", "--dir", ::testing::TempDir()});
    ASSERT_TRUE(WaitFor([&] { return Connect().ok(); }, absl::Seconds(10)))
        << redis_server_->Output();
    absl::StatusOr<redis::SyncClient> redis = Connect();
    absl::StatusOr<redis::SyncClient> events = Connect();
    ASSERT_TRUE(redis.ok() && events.ok());
    redis_.emplace(*std::move(redis));
    private_events_.emplace(*std::move(events));
    ASSERT_TRUE(private_events_->Command({"SUBSCRIBE", Key("events")}).ok());
  }

  void TearDown() override {
    DaemonTest::TearDown();
    if (redis_server_ != nullptr) {
      redis_server_->Signal(SIGTERM);
      redis_server_->WaitForExit(absl::Seconds(5));
    }
  }

  absl::StatusOr<redis::SyncClient> Connect() {
    return redis::SyncClient::Connect(
        {"127.0.0.1", redis_port_, "", kRedisPassword, absl::Seconds(2)});
  }

  // Flags that point a program at the password-protected Redis, with every
  // secret it takes given on the command line.
  std::vector<std::string> RedisFlags() const {
    return {"--prefix=" + prefix_,
            "--redis_port=" + std::to_string(redis_port_),
            "--redis_reader_port=" + std::to_string(redis_port_),
            std::string("--redis_password=") + kRedisPassword};
  }

  std::vector<std::string> Env() const {
    std::vector<std::string> env = stack_.ProgramEnv();
    env.push_back(std::string("DBCACHE_WEB_TOKEN=") + kWebToken);
    return env;
  }

  void StartDaemonWithSecrets() {
    std::vector<std::string> argv = {stack_.bin_dir + "/dbcached",
                                     "--cache_reads=primary",
                                     "--log_level=debug"};
    for (std::string& flag : RedisFlags()) argv.push_back(std::move(flag));
    daemon_ = std::make_unique<ChildProcess>(argv, Env());
    ASSERT_TRUE(WaitForSubscribers(*redis_, Key("control"), 1))
        << daemon_->Output();
  }

  // Publishes on the private Redis and keeps every event up to the one named
  // `until`.
  void PublishAndCollect(const std::string& message, const std::string& until) {
    absl::StatusOr<redis::ReplyPtr> r =
        redis_->Command({"PUBLISH", Key("control"), message});
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ((*r)->integer, 1);
    CollectEventsUntil(until);
  }

  void CollectEventsUntil(const std::string& until) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      absl::StatusOr<std::string> event =
          private_events_->ReadMessage(deadline - absl::Now());
      ASSERT_TRUE(event.ok())
          << "waiting for " << until << ": " << event.status();
      Record("event", *event);
      nlohmann::json parsed = nlohmann::json::parse(*event, nullptr, false);
      if (!parsed.is_object()) continue;
      if (parsed.value("event", "") == "run_finished") {
        ExpectCountsAddUp(parsed["summary"]);
      }
      if (parsed.value("event", "") == until) return;
    }
    FAIL() << "no " << until << " event";
  }

  // Everything under the test's prefix, whatever its type.
  void RecordRedisKeys() {
    absl::StatusOr<redis::ReplyPtr> keys = redis_->Command({"KEYS", Key("*")});
    ASSERT_TRUE(keys.ok());
    int count = 0;
    for (size_t i = 0; i < (*keys)->elements; ++i) {
      const std::string key = (*keys)->element[i]->str;
      absl::StatusOr<redis::ReplyPtr> type = redis_->Command({"TYPE", key});
      ASSERT_TRUE(type.ok());
      const std::string kind = (*type)->str;
      absl::StatusOr<redis::ReplyPtr> value =
          kind == "string" ? redis_->Command({"GET", key})
          : kind == "list" ? redis_->Command({"LRANGE", key, "0", "-1"})
          : kind == "hash" ? redis_->Command({"HGETALL", key})
                           : redis_->Command({"DUMP", key});
      ASSERT_TRUE(value.ok());
      std::string text;
      if ((*value)->type == REDIS_REPLY_STRING) {
        text.assign((*value)->str, (*value)->len);
      }
      for (size_t e = 0; e < (*value)->elements; ++e) {
        text.append((*value)->element[e]->str, (*value)->element[e]->len);
        text.push_back('\n');
      }
      Record("Redis key " + key, text);
      ++count;
    }
    // The heartbeat, stats, runs and log at least.
    EXPECT_GE(count, 4);
    for (const char* name : {"daemon", "stats", "runs", "log"}) {
      EXPECT_TRUE(seen_.count("Redis key " + Key(name))) << name;
    }
  }

  // Keeps `text` to be searched for every secret at the end.
  void Record(const std::string& where, const std::string& text) {
    seen_[where] += text;
  }

  void ExpectNoSecretAnywhere() {
    ASSERT_FALSE(seen_.empty());
    for (const auto& [where, text] : seen_) {
      for (const auto& [secret_name, secret] : secrets_) {
        // Only the secret's name is printed: the output of a failing test
        // must not publish the stack's password either.
        EXPECT_EQ(text.find(secret), std::string::npos)
            << secret_name << " appears in " << where;
      }
    }
  }

  RunResult Run(std::vector<std::string> argv) {
    return RunProgram(std::move(argv), Env(), absl::Seconds(60));
  }

  int redis_port_ = 0;
  std::unique_ptr<ChildProcess> redis_server_;
  std::optional<redis::SyncClient> redis_;
  std::optional<redis::SyncClient> private_events_;
  std::vector<std::pair<std::string, std::string>> secrets_;
  std::map<std::string, std::string> seen_;
};

TEST_F(SecretsTest, NoSecretInOutputHelpEventsRedisOrStatus) {
  StartDaemonWithSecrets();
  PublishAndCollect("ping id=p1", "pong");
  PublishAndCollect("run querys=5", "error");
  PublishAndCollect("run queries=200 limit_max=10 concurrency=4",
                    "run_finished");
  PublishAndCollect("cancel", "error");
  RecordRedisKeys();

  // The operator's views.
  std::vector<std::string> status = {stack_.bin_dir + "/dbcachectl", "status"};
  for (std::string& flag : RedisFlags()) status.push_back(std::move(flag));
  RunResult ctl_status = Run(status);
  EXPECT_EQ(ctl_status.exit_code, 0) << ctl_status.output;
  EXPECT_THAT(ctl_status.output, ::testing::HasSubstr("finished"));
  Record("dbcachectl status", ctl_status.output);
  std::vector<std::string> wrong = status;
  wrong.back() = std::string("--redis_password=") + kWrongPassword;
  RunResult ctl_wrong = Run(wrong);
  EXPECT_NE(ctl_wrong.exit_code, 0) << ctl_wrong.output;
  Record("dbcachectl status with a wrong password", ctl_wrong.output);

  // --help with every secret given as a flag.
  const std::vector<std::string> secret_flags = {
      std::string("--redis_password=") + kRedisPassword,
      "--mysql_password=" + stack_.mysql_password,
      std::string("--web_token=") + kWebToken};
  for (const char* program : {"dbcached", "dbcachectl"}) {
    std::vector<std::string> argv = {stack_.bin_dir + "/" + program, "--help"};
    argv.insert(argv.end(), secret_flags.begin(), secret_flags.end());
    RunResult help = Run(argv);
    EXPECT_EQ(help.exit_code, 0) << help.output;
    EXPECT_THAT(help.output, ::testing::HasSubstr("--redis_password"));
    Record(std::string(program) + " --help", help.output);
  }

  // The daemon's own output, up to and including its shutdown.
  daemon_->Signal(SIGTERM);
  EXPECT_EQ(daemon_->WaitForExit(absl::Seconds(10)), 0);
  EXPECT_THAT(daemon_->Output(), ::testing::HasSubstr("finished"));
  Record("dbcached output", daemon_->Output());
  ExpectNoSecretAnywhere();
}

TEST_F(SecretsTest, NoSecretInDbcacheWebAnswersOrOutput) {
  const std::string web = stack_.bin_dir + "/dbcache-web";
  if (access(web.c_str(), X_OK) != 0) {
    GTEST_SKIP() << web << " does not exist (dbcache-web is not built); "
                 << "its part of the secrets check is skipped";
  }
  StartDaemonWithSecrets();
  PublishAndCollect("run queries=100 limit_max=10", "run_finished");

  const int port = FreeTcpPort();
  ASSERT_GT(port, 0);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  std::vector<std::string> argv = {
      web, "--listen=127.0.0.1:" + std::to_string(port), "--log_level=debug"};
  for (std::string& flag : RedisFlags()) argv.push_back(std::move(flag));
  ChildProcess server(argv, Env());
  const std::string curl = FindProgram("curl");
  auto get = [&](const std::string& path) {
    return Run({curl, "-sS", "-i", "--max-time", "10", base + path});
  };
  ASSERT_TRUE(WaitFor([&] { return get("/healthz").exit_code == 0; },
                      absl::Seconds(15)))
      << server.Output();

  // A run through the web, with the token; then a wrong token.
  RunResult post =
      Run({curl, "-sS", "-i", "--max-time", "10", "-X", "POST", "-H",
           "Content-Type: application/json", "-H",
           std::string("Authorization: Bearer ") + kWebToken, "--data",
           R"({"queries":50,"limit_max":10})", base + "/api/runs"});
  EXPECT_THAT(post.output, ::testing::HasSubstr("202 Accepted")) << post.output;
  Record("POST /api/runs", post.output);
  std::string run_id;
  if (size_t at = post.output.find("\"id\":\""); at != std::string::npos) {
    at += 6;
    run_id = post.output.substr(at, post.output.find('"', at) - at);
  }
  ASSERT_FALSE(run_id.empty()) << post.output;
  CollectEventsUntil("run_finished");
  RunResult refused =
      Run({curl, "-sS", "-i", "--max-time", "10", "-X", "POST", "-H",
           "Content-Type: application/json", "-H",
           std::string("Authorization: Bearer ") + kWrongPassword, "--data",
           "{}", base + "/api/runs"});
  EXPECT_THAT(refused.output, ::testing::HasSubstr("401")) << refused.output;
  Record("POST /api/runs with a wrong token", refused.output);

  // The web's cached snapshot shows the run it started.
  EXPECT_TRUE(WaitFor(
      [&] {
        return get("/api/stats").output.find(run_id) != std::string::npos;
      },
      absl::Seconds(10)));
  for (const char* path : {"/api/stats", "/api/runs", "/api/log", "/api/status",
                           "/metrics", "/healthz", "/"}) {
    RunResult answer = get(path);
    EXPECT_EQ(answer.exit_code, 0) << path << ": " << answer.output;
    EXPECT_THAT(answer.output, ::testing::HasSubstr("200 OK")) << path;
    Record(std::string("GET ") + path, answer.output);
  }
  std::vector<std::string> help = {web, "--help",
                                   std::string("--web_token=") + kWebToken};
  for (std::string& flag : RedisFlags()) help.push_back(std::move(flag));
  RunResult web_help = Run(help);
  EXPECT_EQ(web_help.exit_code, 0) << web_help.output;
  Record("dbcache-web --help", web_help.output);
  RecordRedisKeys();

  server.Signal(SIGTERM);
  server.WaitForExit(absl::Seconds(10));
  Record("dbcache-web output", server.Output());
  daemon_->Signal(SIGTERM);
  EXPECT_EQ(daemon_->WaitForExit(absl::Seconds(10)), 0);
  Record("dbcached output", daemon_->Output());
  ExpectNoSecretAnywhere();
}

}  // namespace
}  // namespace dbcache::testing
