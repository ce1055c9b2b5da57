// Malformed control messages sent to a real dbcached through PUBLISH: each one
// must be answered by an `error` event that names the problem, and none may
// change anything (no run, no keys written, no SQL reaching the database).
#include <mysql.h>

#include <string>
#include <vector>

#include "daemon/mysql/mysql_handle.h"
#include "gmock/gmock.h"
#include "tests/integration/daemon/daemon_fixture.h"
#include "tests/integration/support/run_counts.h"

namespace dbcache::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct BadInput {
  // What the case is about, for failure messages.
  std::string what;
  std::string message;
  // The `error` field of the event, and a part of its `message` that names
  // the problem.
  std::string error;
  std::string names;
};

std::string Nested(int depth, char open, char close) {
  return std::string(depth, open) + std::string(depth, close);
}

std::vector<BadInput> BadInputs() {
  const std::string r = R"({"cmd":"run",)";
  return {
      // Size and encoding.
      {"empty", "", "invalid", "empty message"},
      {"whitespace", " \t\r\n \v\f ", "invalid", "empty message"},
      {"1 MiB", std::string(1 << 20, 'a'), "invalid",
       "message of 1048576 bytes exceeds 65536"},
      {"64 KiB + 1", "run" + std::string(65534, ' '), "invalid",
       "message of 65537 bytes exceeds 65536"},
      {"binary", std::string("\xff\xfe\x00run", 6), "invalid",
       "not valid UTF-8 text: bad byte 0xff at byte 0"},
      {"invalid UTF-8", "run id=\xc3\x28", "invalid",
       "bad byte 0xc3 at byte 7"},
      {"overlong UTF-8", "run id=\xc0\xaf", "invalid", "bad byte 0xc0"},
      {"UTF-16 surrogate", "{\"cmd\":\"ping\",\"id\":\"\xed\xa0\x80\"}",
       "invalid", "bad byte 0xed"},
      {"NUL byte", std::string("run\0queries=5", 13), "invalid",
       "control byte 0x00 at byte 3"},
      {"only NULs", std::string(8, '\0'), "invalid", "control byte 0x00"},
      {"DEL byte", "run\x7f", "invalid", "control byte 0x7f"},
      // Commands.
      {"unknown command", "runn queries=5", "invalid",
       "unknown command 'runn'"},
      {"upper-case command", "RUN", "invalid", "unknown command 'RUN'"},
      {"shell-like", "run; rm -rf /", "invalid", "unknown command 'run;'"},
      {"JSON unknown command", R"({"cmd":"start"})", "invalid",
       "unknown command 'start'"},
      {"JSON without cmd", R"({"queries":5})", "invalid", "missing key 'cmd'"},
      {"JSON empty object", "{}", "invalid", "missing key 'cmd'"},
      {"JSON cmd not a string", R"({"cmd":5})", "invalid",
       "'cmd' must be a string, not a number"},
      {"JSON cmd null", R"({"cmd":null})", "invalid",
       "'cmd' must be a string, not null"},
      // Keys.
      {"unknown key", "run foo=1", "invalid", "unknown key 'foo'"},
      {"misspelled key", "run querys=10", "invalid",
       "unknown key 'querys' (did you mean 'queries'?)"},
      {"misspelled key 2", "run concurency=4", "invalid",
       "did you mean 'concurrency'?"},
      {"JSON misspelled key", r + R"("ttl":5})", "invalid",
       "did you mean 'ttl_ms'?"},
      {"duplicate key", "run queries=1 queries=2", "invalid",
       "duplicate key 'queries'"},
      {"JSON duplicate key", r + R"("seed":1,"seed":2})", "invalid",
       "duplicate key 'seed'"},
      {"JSON duplicate cmd", R"({"cmd":"run","cmd":"ping"})", "invalid",
       "duplicate key 'cmd'"},
      {"no key=value", "run queries", "invalid",
       "expected key=value, got 'queries'"},
      {"no value", "run queries=", "invalid", "missing value for 'queries'"},
      {"no key", "run =5", "invalid", "missing key before '='"},
      {"key not allowed", "cancel queries=5", "invalid",
       "key 'queries' is not allowed with cancel"},
      // Numbers.
      {"negative", "run queries=-5", "invalid", "queries=-5 is negative"},
      {"JSON negative", r + R"("concurrency":-1})", "invalid",
       "concurrency=-1 is negative"},
      {"zero", "run queries=0", "invalid",
       "queries=0 is out of range 1..10000000"},
      {"JSON zero, with an id", r + R"("id":"web-1","queries":0})", "invalid",
       "queries=0 is out of range 1..10000000"},
      {"zero concurrency", "run concurrency=0", "invalid",
       "concurrency=0 is out of range 1..1024"},
      {"too large", "run concurrency=1025", "invalid",
       "concurrency=1025 is out of range 1..1024"},
      {"overflowing", "run seed=18446744073709551616", "invalid",
       "seed=18446744073709551616 is out of range"},
      {"JSON overflowing", r + R"("queries":99999999999999999999999})",
       "invalid", "queries=99999999999999999999999 is out of range"},
      {"fractional", "run ttl_ms=1.5", "invalid",
       "ttl_ms=1.5 is not an integer"},
      {"JSON fractional", r + R"("ttl_ms":2.5})", "invalid",
       "ttl_ms=2.5 is not an integer"},
      {"JSON exponent", r + R"("queries":1e3})", "invalid",
       "queries=1e3 is not an integer"},
      {"NaN", "run queries=NaN", "invalid", "queries=NaN is not an integer"},
      {"JSON NaN", r + R"("queries":NaN})", "invalid",
       "invalid JSON at byte 23"},
      {"inf", "run limit_max=inf", "invalid",
       "limit_max=inf is not an integer"},
      {"JSON Infinity", r + R"("queries":Infinity})", "invalid",
       "invalid JSON at byte 23"},
      {"hex", "run queries=0x10", "invalid", "hex is not allowed"},
      {"JSON hex", r + R"("queries":0x10})", "invalid", "invalid JSON"},
      {"leading zero", "run queries=010", "invalid",
       "leading zeros are not allowed"},
      {"leading plus", "run queries=+5", "invalid",
       "a leading '+' is not allowed"},
      {"JSON number as string", r + R"("queries":"10"})", "invalid",
       "'queries' must be an integer, not a string"},
      {"JSON boolean number", r + R"("queries":true})", "invalid",
       "'queries' must be an integer, not a boolean"},
      // Other values.
      {"bad cache", "run cache=maybe", "invalid",
       "cache=maybe must be on or off"},
      {"bad id", "run id=a/b", "invalid", "id 'a/b' contains '/'"},
      {"long id", "run id=" + std::string(65, 'x'), "invalid",
       "is 65 characters long (allowed 1..64)"},
      // JSON structure.
      {"JSON truncated", r + R"("queries":10)", "invalid",
       "unexpected end of input"},
      {"JSON trailing", R"({"cmd":"ping"} x)", "invalid",
       "trailing characters after the JSON object"},
      {"JSON trailing comma", r + "}", "invalid", "invalid JSON"},
      {"JSON comment", R"({"cmd":"run"/*x*/})", "invalid", "invalid JSON"},
      {"JSON nested", r + R"("queries":{"n":1}})", "invalid",
       "the value of 'queries' is an object; nested values are not allowed"},
      {"JSON array", R"([{"cmd":"run"}])", "invalid",
       "must be an object, not an array"},
      {"JSON string", R"("run")", "invalid", "must be an object, not a string"},
      {"JSON number", "42", "invalid", "must be an object, not a number"},
      {"1,000 levels of arrays", Nested(1000, '[', ']'), "invalid",
       "must be an object, not an array"},
      {"1,000 levels inside a value",
       r + "\"seed\":" + Nested(1000, '[', ']') + "}", "invalid",
       "the value of 'seed' is an array; nested values"},
      {"1,000 levels of objects", Nested(1000, '{', '}'), "invalid",
       "invalid JSON at byte 1"},
      // The control channel cannot carry SQL (the template comes only from
      // configuration).
      {"sql= key", "run sql=DROP%20TABLE%20reviews", "invalid",
       "unknown key 'sql'"},
      {"JSON sql key", R"({"cmd":"run","sql":"DROP TABLE reviews"})", "invalid",
       "unknown key 'sql'"},
      {"SQL as a command", "DROP TABLE reviews", "invalid",
       "unknown command 'DROP'"},
      {"SQL in a number", r + R"("limit_max":"1; DROP TABLE reviews"})",
       "invalid", "'limit_max' must be an integer, not a string"},
      {"SQL in an id", "run id=x;DROP", "invalid", "id 'x;DROP' contains ';'"},
      {"SQL template key", R"({"cmd":"run","query":"SELECT 1"})", "invalid",
       "unknown key 'query'"},
      // Valid, but meaningless now.
      {"cancel while idle", "cancel", "not_running", "no run is going"},
  };
}

// Rows in the reviews table, or -1 if it cannot be read (e.g. it is gone).
long long CountReviews(const StackEnv& stack) {
  mysql::MysqlHandle conn(mysql_init(nullptr));
  if (mysql_real_connect(conn.get(), "127.0.0.1", stack.mysql_user.c_str(),
                         stack.mysql_password.c_str(), "reviews",
                         stack.mysql_port, nullptr, 0) == nullptr) {
    ADD_FAILURE() << mysql_error(conn.get());
    return -1;
  }
  const std::string sql = "SELECT COUNT(*) FROM reviews";
  if (mysql_real_query(conn.get(), sql.data(), sql.size()) != 0) {
    ADD_FAILURE() << mysql_error(conn.get());
    return -1;
  }
  mysql::ResultHandle result(mysql_store_result(conn.get()));
  MYSQL_ROW row = mysql_fetch_row(result.get());
  return row != nullptr && row[0] != nullptr ? std::stoll(row[0]) : -1;
}

class BadInputTest : public DaemonTest {
 protected:
  // The very next event on <prefix>events, which must be the error answering
  // the message just sent: nothing else may happen in between.
  nlohmann::json NextEvent() {
    absl::StatusOr<std::string> message =
        events_->ReadMessage(absl::Seconds(10));
    if (!message.ok()) {
      ADD_FAILURE() << "no event: " << message.status();
      return nlohmann::json();
    }
    return nlohmann::json::parse(*message, nullptr, false);
  }

  long long KeysUnderPrefix() {
    absl::StatusOr<redis::ReplyPtr> keys =
        primary_->Command({"KEYS", Key("*")});
    if (!keys.ok() || (*keys)->type != REDIS_REPLY_ARRAY) return -1;
    // The heartbeat is the daemon's own; anything else was written by a
    // message.
    long long count = 0;
    for (size_t i = 0; i < (*keys)->elements; ++i) {
      if ((*keys)->element[i]->str != Key("daemon")) ++count;
    }
    return count;
  }
};

TEST_F(BadInputTest, EveryMalformedMessageGetsANamedErrorAndChangesNothing) {
  const long long reviews_before = CountReviews(stack_);
  ASSERT_GT(reviews_before, 0);
  StartDaemon({"--cache_reads=primary"});

  const std::vector<BadInput> inputs = BadInputs();
  for (const BadInput& input : inputs) {
    SCOPED_TRACE(input.what);
    ASSERT_EQ(Publish(input.message), 1);
    nlohmann::json event = NextEvent();
    ASSERT_TRUE(event.is_object());
    EXPECT_EQ(event["event"], "error") << event.dump();
    EXPECT_EQ(event["error"], input.error) << event.dump();
    EXPECT_THAT(event.value("message", ""), HasSubstr(input.names));
    // The whole message reached the daemon, and only a prefix is echoed.
    EXPECT_EQ(event["input_bytes"], input.message.size());
    EXPECT_LE(event.value("input", "").size(), 360u);
    // A JSON message's id, when it has one, comes back so that its sender
    // (the web, dbcachectl) knows the answer is to it.
    const nlohmann::json sent =
        nlohmann::json::parse(input.message, nullptr, false);
    if (sent.is_object() && sent.contains("id") && sent["id"].is_string()) {
      EXPECT_EQ(event["id"], sent["id"]) << event.dump();
    } else {
      EXPECT_FALSE(event.contains("id")) << event.dump();
    }
  }
  const int sent = static_cast<int>(inputs.size());

  // Nothing changed: no run started, nothing written but the heartbeat, the
  // table intact, and the daemon counted every message as an error.
  nlohmann::json heartbeat;
  EXPECT_TRUE(WaitFor(
      [&] {
        heartbeat = GetJson(*primary_, Key("daemon"));
        return heartbeat.is_object() && heartbeat["control_errors"] == sent;
      },
      absl::Seconds(10)))
      << heartbeat.dump();
  EXPECT_EQ(heartbeat["control_messages"], sent);
  EXPECT_EQ(heartbeat["runs_started"], 0);
  EXPECT_EQ(heartbeat["state"], "idle");
  EXPECT_TRUE(GetJson(*primary_, Key("stats")).is_null());
  EXPECT_EQ(KeysUnderPrefix(), 0);
  EXPECT_EQ(CountReviews(stack_), reviews_before);
  ASSERT_TRUE(daemon_->running()) << daemon_->Output();

  // A valid run while another is going: `busy`, and the going run is untouched.
  ASSERT_EQ(Publish("run queries=10000000 id=long-one"), 1);
  EXPECT_EQ(NextEvent()["event"], "run_started");
  ASSERT_EQ(Publish("run queries=5 id=second"), 1);
  nlohmann::json busy = WaitForEvent("error");
  EXPECT_EQ(busy["error"], "busy");
  EXPECT_THAT(busy.value("message", ""), HasSubstr("busy: run long-one"));
  EXPECT_EQ(busy["id"], "second");
  ASSERT_EQ(Publish("cancel"), 1);
  nlohmann::json cancelled = WaitForEvent("run_finished");
  EXPECT_EQ(cancelled["run_id"], "long-one");
  EXPECT_EQ(cancelled["summary"]["state"], "cancelled");
  ExpectCountsAddUp(cancelled["summary"]);

  // A following valid run works, with the configured SQL.
  ASSERT_EQ(Publish("run queries=20 limit_max=5"), 1);
  nlohmann::json summary = WaitForEvent("run_finished")["summary"];
  EXPECT_EQ(summary["state"], "finished");
  ExpectCountsAddUp(summary);
  EXPECT_EQ(summary["done"], 20);
  EXPECT_EQ(summary["errors"], 0);
  absl::StatusOr<redis::ReplyPtr> log =
      primary_->Command({"LRANGE", Key("log"), "0", "-1"});
  ASSERT_TRUE(log.ok());
  ASSERT_GT((*log)->elements, 0u);
  for (size_t i = 0; i < (*log)->elements; ++i) {
    nlohmann::json entry = nlohmann::json::parse((*log)->element[i]->str);
    EXPECT_THAT(
        entry.value("sql", ""),
        StartsWith("SELECT customer_id, review_id FROM reviews LIMIT "));
  }
  EXPECT_EQ(CountReviews(stack_), reviews_before);
  EXPECT_TRUE(WaitFor(
      [&] {
        heartbeat = GetJson(*primary_, Key("daemon"));
        return heartbeat.is_object() &&
               heartbeat["control_errors"] == sent + 1 &&
               heartbeat["runs_started"] == 2 && heartbeat["state"] == "idle";
      },
      absl::Seconds(10)))
      << heartbeat.dump();
  EXPECT_TRUE(daemon_->running());
}

}  // namespace
}  // namespace dbcache::testing
