// dbcached under a stand-in for systemd's notify socket (Type=notify): READY=1
// only once its servers answer, STATUS= lines that follow a run, WATCHDOG=1 at
// half of WATCHDOG_USEC, STOPPING=1 on SIGTERM.

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/clock.h"
#include "daemon/redis/sync_client.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/deploy/notify_socket.h"
#include "tests/integration/support/child_process.h"
#include "tests/integration/support/run_counts.h"
#include "tests/integration/support/stack_env.h"

namespace dbcache::testing {
namespace {

constexpr char kWatchdogUsec[] = "200000";  // WATCHDOG=1 every 100 ms.
constexpr absl::Duration kWatchdogPing = absl::Milliseconds(100);

// The median time between `count` consecutive WATCHDOG=1 lines that arrive
// after `since` (waiting up to 20 s for them), or nullopt if they do not come.
// A median, not a count per second: a loaded machine that delays a few pings
// moves a count but not the median, while a daemon that pings at the wrong
// rate (or spins) moves both.
std::optional<absl::Duration> MedianWatchdogGap(const NotifySocket& notify,
                                                absl::Time since, int count) {
  WaitFor(
      [&] {
        return notify.Count("WATCHDOG=1", since, absl::InfiniteFuture()) >=
               count;
      },
      absl::Seconds(20));
  std::vector<absl::Time> pings;
  for (const NotifySocket::Message& m : notify.Messages()) {
    if (m.at >= since && m.text == "WATCHDOG=1") pings.push_back(m.at);
  }
  if (static_cast<int>(pings.size()) < count) return std::nullopt;
  pings.resize(count);
  std::vector<absl::Duration> gaps;
  for (size_t i = 1; i < pings.size(); ++i)
    gaps.push_back(pings[i] - pings[i - 1]);
  std::sort(gaps.begin(), gaps.end());
  return gaps[gaps.size() / 2];
}

// The daemon pings at half of WATCHDOG_USEC: checked as a median with a wide
// band, and a named failure when the pings do not come at all.
void ExpectWatchdogCadence(const NotifySocket& notify, absl::Time since) {
  std::optional<absl::Duration> median = MedianWatchdogGap(notify, since, 21);
  ASSERT_TRUE(median.has_value()) << "fewer than 21 WATCHDOG=1 in 20 s:\n"
                                  << notify.Dump();
  EXPECT_GE(*median, kWatchdogPing / 2) << notify.Dump();
  EXPECT_LE(*median, kWatchdogPing * 2) << notify.Dump();
}

// A TCP port on 127.0.0.1 where connections are refused for as long as this
// object lives: the socket is bound (so nobody else gets the port) but never
// listens.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (fd_ >= 0 &&
        bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
            0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  ~RefusingPort() {
    if (fd_ >= 0) close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

bool IsStatus(const std::string& text) { return text.starts_with("STATUS="); }

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // sd_watchdog_enabled() ignores WATCHDOG_USEC when WATCHDOG_PID names
    // another process; the children must not inherit one from whoever runs
    // the tests.
    unsetenv("WATCHDOG_PID");
    RunResult seed = SeedOnce(stack_);
    ASSERT_EQ(seed.exit_code, 0) << seed.output;
    ASSERT_TRUE(notify_.ok()) << "cannot bind " << notify_.path();
    static int counter = 0;
    prefix_ =
        "nt" + std::to_string(getpid()) + "x" + std::to_string(++counter) + ":";
    absl::StatusOr<redis::SyncClient> client = redis::SyncClient::Connect(
        {"127.0.0.1", stack_.redis_port, "", "", absl::Seconds(5)});
    ASSERT_TRUE(client.ok()) << client.status();
    primary_.emplace(*std::move(client));
  }

  void TearDown() override {
    if (daemon_ != nullptr && daemon_->running()) {
      daemon_->Signal(SIGTERM);
      daemon_->WaitForExit(absl::Seconds(10));
    }
    if (HasFailure()) {
      std::cerr << "notify socket received:\n" << notify_.Dump();
      if (daemon_ != nullptr) {
        std::cerr << "dbcached output:\n" << daemon_->Output() << "\n";
      }
    }
    if (primary_) {
      absl::StatusOr<redis::ReplyPtr> keys =
          primary_->Command({"KEYS", prefix_ + "*"});
      if (keys.ok() && (*keys)->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i < (*keys)->elements; ++i) {
          primary_->Command({"DEL", (*keys)->element[i]->str}).IgnoreError();
        }
      }
    }
  }

  void StartDaemon(std::vector<std::string> extra_args = {}) {
    std::vector<std::string> argv = {stack_.bin_dir + "/dbcached",
                                     "--prefix=" + prefix_};
    for (std::string& arg : extra_args) argv.push_back(std::move(arg));
    std::vector<std::string> env = stack_.ProgramEnv();
    env.push_back(notify_.EnvLine());
    env.push_back(std::string("WATCHDOG_USEC=") + kWatchdogUsec);
    started_at_ = absl::Now();
    daemon_ = std::make_unique<ChildProcess>(argv, env);
    ASSERT_TRUE(daemon_->running()) << daemon_->Output();
  }

  void WaitForReady() {
    ASSERT_TRUE(notify_.WaitFor("READY=1", absl::Seconds(15)).has_value())
        << "no READY=1 within 15 s";
  }

  long long Publish(const std::string& message) {
    absl::StatusOr<redis::ReplyPtr> reply =
        primary_->Command({"PUBLISH", prefix_ + "control", message});
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? (*reply)->integer : -1;
  }

  // SIGTERM: STOPPING=1 comes, then the daemon exits 0.
  void ExpectCleanStop() {
    const absl::Time signalled = absl::Now();
    daemon_->Signal(SIGTERM);
    EXPECT_TRUE(
        notify_.WaitFor("STOPPING=1", absl::Seconds(5), signalled).has_value())
        << "no STOPPING=1 within 5 s of SIGTERM";
    EXPECT_EQ(daemon_->WaitForExit(absl::Seconds(10)), 0);
  }

  const StackEnv& stack_ = StackEnv::Get();
  NotifySocket notify_;
  std::string prefix_;
  std::optional<redis::SyncClient> primary_;
  std::unique_ptr<ChildProcess> daemon_;
  absl::Time started_at_;
};

TEST_F(NotifyTest, NoReadyWhilePrimaryRefusesAndStatusSaysWhy) {
  RefusingPort dead;
  ASSERT_GT(dead.port(), 0);
  StartDaemon({"--redis_port=" + std::to_string(dead.port())});

  std::optional<NotifySocket::Message> status = notify_.WaitFor(
      [](const std::string& text) {
        return IsStatus(text) && text.find("to primary") != std::string::npos &&
               text.find("connecting") != std::string::npos;
      },
      absl::Seconds(10));
  ASSERT_TRUE(status.has_value())
      << "no STATUS= naming the unreachable primary within 10 s";
  // The loop turns while it waits: the watchdog is fed all the same. Its 21
  // pings take two seconds, which is also the time the daemon has to
  // (wrongly) report READY=1.
  ExpectWatchdogCadence(notify_, started_at_);
  for (const NotifySocket::Message& m : notify_.Messages()) {
    EXPECT_NE(m.text, "READY=1") << "READY=1 with no Redis primary";
  }
  ExpectCleanStop();
}

TEST_F(NotifyTest, ReadyOnlyOnceSubscribedAndConnected) {
  StartDaemon();
  std::optional<NotifySocket::Message> ready =
      notify_.WaitFor("READY=1", absl::Seconds(15));
  ASSERT_TRUE(ready.has_value()) << "no READY=1 within 15 s";
  // READY=1 promises that a run can be triggered now: the very first PUBLISH
  // after it reaches the daemon.
  EXPECT_EQ(Publish("ping"), 1)
      << "READY=1 came before the control subscription was up";
  EXPECT_TRUE(notify_.WaitFor("STATUS=idle", absl::Seconds(5)).has_value());
  // Exactly one READY=1, ever.
  int readies = 0;
  for (const NotifySocket::Message& m : notify_.Messages()) {
    readies += m.text == "READY=1";
  }
  EXPECT_EQ(readies, 1);
  ExpectCleanStop();
}

TEST_F(NotifyTest, StatusFollowsARun) {
  StartDaemon();
  ASSERT_NO_FATAL_FAILURE(WaitForReady());
  const absl::Time published = absl::Now();
  ASSERT_EQ(Publish("run queries=200000 concurrency=8 id=nt1"), 1);

  // "run nt1 at N%" with N going up: collect distinct percentages.
  constexpr std::string_view kProgress = "STATUS=run nt1 at ";
  std::set<int> seen;
  notify_.WaitFor(
      [&](const std::string& text) {
        if (text.starts_with(kProgress) && text.ends_with("%")) {
          const std::string number =
              text.substr(kProgress.size(), text.size() - kProgress.size() - 1);
          if (!number.empty() &&
              number.find_first_not_of("0123456789") == std::string::npos) {
            seen.insert(std::stoi(number));
          }
        }
        return seen.size() >= 3;
      },
      absl::Seconds(60), published);
  std::string percentages;
  for (int p : seen) percentages += " " + std::to_string(p) + "%";
  std::cout << "STATUS= percentages seen:" << percentages << "\n";
  EXPECT_GE(seen.size(), 3u) << "STATUS= did not follow the run's progress";
  if (!seen.empty()) {
    EXPECT_LT(*seen.begin(), 100);
  }

  // Cancel (or let it finish): the status goes back to idle.
  const absl::Time cancelled = absl::Now();
  Publish("cancel");
  EXPECT_TRUE(
      notify_.WaitFor("STATUS=idle", absl::Seconds(30), cancelled).has_value());
  // The run's record is written before the status says idle.
  absl::StatusOr<std::optional<std::string>> stats =
      primary_->Get(prefix_ + "stats");
  ASSERT_TRUE(stats.ok() && stats->has_value());
  const nlohmann::json snapshot =
      nlohmann::json::parse(**stats, nullptr, false);
  EXPECT_EQ(snapshot.value("run_id", ""), "nt1");
  EXPECT_NE(snapshot.value("state", ""), "running");
  ExpectCountsAddUp(snapshot);
  ExpectCleanStop();
}

TEST_F(NotifyTest, WatchdogAtHalfTheInterval) {
  StartDaemon();
  ASSERT_NO_FATAL_FAILURE(WaitForReady());
  ExpectWatchdogCadence(notify_, absl::Now());
  ExpectCleanStop();
}

TEST_F(NotifyTest, StoppingOnSigtermThenExitZero) {
  StartDaemon();
  ASSERT_NO_FATAL_FAILURE(WaitForReady());
  const absl::Time signalled = absl::Now();
  daemon_->Signal(SIGTERM);
  std::optional<NotifySocket::Message> stopping =
      notify_.WaitFor("STOPPING=1", absl::Seconds(5), signalled);
  ASSERT_TRUE(stopping.has_value()) << "no STOPPING=1 within 5 s of SIGTERM";
  EXPECT_TRUE(notify_.WaitFor("STATUS=stopping", absl::Seconds(5), signalled)
                  .has_value());
  EXPECT_EQ(daemon_->WaitForExit(absl::Seconds(10)), 0);
}

// dbcache-web under the same stand-in: READY=1 once it listens and the reader
// answers, STATUS= that says so, WATCHDOG=1 from its notifier thread,
// STOPPING=1 on SIGTERM. Not when the reader refuses: then no READY=1 and the
// STATUS says why.
TEST_F(NotifyTest, WebReadyWatchdogAndStopping) {
  RefusingPort refusing;
  for (const bool reader_up : {false, true}) {
    NotifySocket notify;
    ASSERT_TRUE(notify.ok());
    const int port = FreeTcpPort();
    std::vector<std::string> env = stack_.ProgramEnv();
    env.push_back(notify.EnvLine());
    env.push_back(std::string("WATCHDOG_USEC=") + kWatchdogUsec);
    const int reader_port = reader_up ? stack_.replica_port : refusing.port();
    ChildProcess web({stack_.bin_dir + "/dbcache-web",
                      "--listen=127.0.0.1:" + std::to_string(port),
                      "--redis_reader_port=" + std::to_string(reader_port),
                      "--prefix=" + prefix_},
                     env);
    if (!reader_up) {
      ASSERT_TRUE(notify
                      .WaitFor(
                          [](const std::string& m) {
                            return m.find("reader unreachable") !=
                                   std::string::npos;
                          },
                          absl::Seconds(10))
                      .has_value())
          << notify.Dump() << web.Output();
      EXPECT_FALSE(notify.WaitFor("READY=1", absl::Milliseconds(1500)))
          << notify.Dump();
    } else {
      ASSERT_TRUE(notify.WaitFor("READY=1", absl::Seconds(10)).has_value())
          << notify.Dump() << web.Output();
      EXPECT_TRUE(notify
                      .WaitFor(
                          [](const std::string& m) {
                            return m.starts_with("STATUS=serving on") &&
                                   m.find("reader ok") != std::string::npos;
                          },
                          absl::Seconds(5))
                      .has_value())
          << notify.Dump();
      ExpectWatchdogCadence(notify, absl::Now());
    }
    const absl::Time signalled = absl::Now();
    web.Signal(SIGTERM);
    EXPECT_TRUE(notify.WaitFor("STOPPING=1", absl::Seconds(5), signalled))
        << notify.Dump();
    EXPECT_EQ(web.WaitForExit(absl::Seconds(10)), 0) << web.Output();
  }
}

}  // namespace
}  // namespace dbcache::testing
