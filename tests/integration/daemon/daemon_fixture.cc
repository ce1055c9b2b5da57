#include "tests/integration/daemon/daemon_fixture.h"

#include <signal.h>
#include <unistd.h>

#include "daemon/mysql/mysql_handle.h"
#include "tests/integration/support/run_counts.h"
#include "tests/integration/support/subscribers.h"

namespace dbcache::testing {

cache::ResultSet QueryMariaDb(const StackEnv& stack, const std::string& sql) {
  mysql::MysqlHandle conn(mysql_init(nullptr));
  cache::ResultSet out;
  if (mysql_real_connect(conn.get(), "127.0.0.1", stack.mysql_user.c_str(),
                         stack.mysql_password.c_str(), "reviews",
                         stack.mysql_port, nullptr, 0) == nullptr) {
    ADD_FAILURE() << mysql_error(conn.get());
    return out;
  }
  if (mysql_real_query(conn.get(), sql.data(), sql.size()) != 0) {
    ADD_FAILURE() << mysql_error(conn.get());
    return out;
  }
  mysql::ResultHandle result(mysql_store_result(conn.get()));
  const unsigned columns = mysql_num_fields(result.get());
  const MYSQL_FIELD* fields = mysql_fetch_fields(result.get());
  for (unsigned i = 0; i < columns; ++i) out.columns.push_back(fields[i].name);
  while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
    const unsigned long* lengths = mysql_fetch_lengths(result.get());
    std::vector<std::optional<std::string>> cells;
    for (unsigned i = 0; i < columns; ++i) {
      if (row[i] == nullptr) {
        cells.push_back(std::nullopt);
      } else {
        cells.push_back(std::string(row[i], lengths[i]));
      }
    }
    out.rows.push_back(std::move(cells));
  }
  return out;
}

void DaemonTest::SetUp() {
  RunResult seed = SeedOnce(stack_);
  ASSERT_EQ(seed.exit_code, 0) << seed.output;
  static int counter = 0;
  prefix_ =
      "it" + std::to_string(getpid()) + "x" + std::to_string(++counter) + ":";
  auto connect = [](int port) {
    absl::StatusOr<redis::SyncClient> c = redis::SyncClient::Connect(
        {"127.0.0.1", port, "", "", absl::Seconds(5)});
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::optional<redis::SyncClient>(*std::move(c))
                  : std::nullopt;
  };
  primary_ = connect(stack_.redis_port);
  reader_ = connect(stack_.replica_port);
  events_ = connect(stack_.redis_port);
  ASSERT_TRUE(primary_ && reader_ && events_);
  ASSERT_TRUE(events_->Command({"SUBSCRIBE", Key("events")}).ok());
}

void DaemonTest::TearDown() {
  if (daemon_ != nullptr && daemon_->running()) {
    daemon_->Signal(SIGTERM);
    EXPECT_EQ(daemon_->WaitForExit(absl::Seconds(10)), 0) << daemon_->Output();
  }
  if (HasFailure() && daemon_ != nullptr) {
    std::cerr << "dbcached output:\n" << daemon_->Output() << "\n";
  }
  // Leave nothing of ours behind in the shared Redis.
  if (primary_) {
    absl::StatusOr<redis::ReplyPtr> keys =
        primary_->Command({"KEYS", Key("*")});
    if (keys.ok() && (*keys)->type == REDIS_REPLY_ARRAY) {
      for (size_t i = 0; i < (*keys)->elements; ++i) {
        primary_->Command({"DEL", (*keys)->element[i]->str}).IgnoreError();
      }
    }
  }
}

void DaemonTest::StartDaemon(std::vector<std::string> extra_args) {
  std::vector<std::string> argv = {stack_.bin_dir + "/dbcached",
                                   "--prefix=" + prefix_};
  for (std::string& a : extra_args) argv.push_back(std::move(a));
  daemon_ = std::make_unique<ChildProcess>(argv, stack_.ProgramEnv());
  // Ready means subscribed: wait until the control channel has a listener.
  ASSERT_TRUE(WaitForSubscribers(*primary_, Key("control"), 1))
      << daemon_->Output();
}

long long DaemonTest::Publish(const std::string& message) {
  absl::StatusOr<redis::ReplyPtr> r =
      primary_->Command({"PUBLISH", Key("control"), message});
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? (*r)->integer : -1;
}

nlohmann::json DaemonTest::WaitForEvent(const std::string& name,
                                        absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    absl::StatusOr<std::string> message =
        events_->ReadMessage(deadline - absl::Now());
    if (!message.ok()) break;
    nlohmann::json event = nlohmann::json::parse(*message, nullptr, false);
    if (!event.is_discarded() && event.value("event", "") == name) {
      return event;
    }
  }
  ADD_FAILURE() << "no '" << name << "' event within "
                << absl::FormatDuration(timeout);
  return nlohmann::json();
}

nlohmann::json DaemonTest::GetJson(redis::SyncClient& client,
                                   const std::string& key) {
  absl::StatusOr<std::optional<std::string>> value = client.Get(key);
  if (!value.ok() || !value->has_value()) return nlohmann::json();
  return nlohmann::json::parse(**value, nullptr, false);
}

nlohmann::json DaemonTest::RunToEnd(const std::string& message,
                                    absl::Duration timeout) {
  EXPECT_GE(Publish(message), 1);
  nlohmann::json summary = WaitForEvent("run_finished", timeout)["summary"];
  ExpectCountsAddUp(summary);
  return summary;
}

int DaemonTest::CachedKeys() {
  absl::StatusOr<redis::ReplyPtr> keys =
      primary_->Command({"KEYS", Key("q:*")});
  if (!keys.ok()) return -1;
  int count = 0;
  for (size_t i = 0; i < (*keys)->elements; ++i) {
    const std::string key = (*keys)->element[i]->str;
    if (!key.ends_with(":lock")) ++count;
  }
  return count;
}

void DaemonTest::FlushCache(int daemons) {
  ASSERT_EQ(Publish("flush"), daemons);
  for (int i = 0; i < daemons; ++i) WaitForEvent("flushed");
  ASSERT_EQ(CachedKeys(), 0);
}

}  // namespace dbcache::testing
