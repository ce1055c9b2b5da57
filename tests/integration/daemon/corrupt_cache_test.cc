// Corrupt values under the real cache keys: a run must treat each as a miss,
// count it, overwrite it with the rows MariaDB returns, and never serve it.
#include <mysql.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "daemon/cache/codec.h"
#include "daemon/cache/digest.h"
#include "gmock/gmock.h"
#include "tests/integration/daemon/daemon_fixture.h"
#include "tests/integration/support/run_counts.h"

namespace dbcache::testing {
namespace {

constexpr int kLimitMax = 8;

std::string Sql(int n) {
  return "SELECT customer_id, review_id FROM reviews LIMIT " +
         std::to_string(n);
}

std::string Header() {
  std::string value(cache::kCodecMagic, sizeof(cache::kCodecMagic));
  value.push_back(static_cast<char>(cache::kCodecVersion));
  return value;
}

struct Corruption {
  std::string what;
  std::string value;
};

// One corrupt value per LIMIT n = 1..kLimitMax; `valid` holds the correct
// encoding of each n's rows, which several of them are made from.
std::vector<Corruption> Corruptions(const std::vector<std::string>& valid) {
  std::vector<Corruption> out;
  out.push_back(
      {"truncated valid value", valid[0].substr(0, valid[0].size() / 2)});
  std::string version = valid[1];
  version[sizeof(cache::kCodecMagic)] =
      static_cast<char>(cache::kCodecVersion + 1);
  out.push_back({"wrong version byte", version});
  std::mt19937 rng(42);
  std::string random(64, '\0');
  for (char& c : random) c = static_cast<char>(rng());
  out.push_back({"random bytes", random});
  // Two columns, one row whose first cell claims 126 bytes where 3 follow.
  out.push_back({"length past the end", Header() +
                                            std::string("\x02\x01"
                                                        "a\x01"
                                                        "b\x01\x7f"
                                                        "abc",
                                                        10) +
                                            std::string(8, '\0')});
  // Two columns and 2^64 - 1 rows.
  out.push_back({"huge row count", Header() +
                                       std::string("\x02\x01"
                                                   "a\x01"
                                                   "b",
                                                   5) +
                                       std::string(9, '\xff') + "\x01" +
                                       std::string(8, '\0')});
  out.push_back({"empty string", ""});
  out.push_back({"foreign value", "hello from some other application"});
  std::string checksum = valid[7];
  checksum.back() ^= 0x01;
  out.push_back({"checksum mismatch", checksum});
  return out;
}

TEST_F(DaemonTest, CorruptEntriesAreMissesCountedAndOverwrittenWithTrueRows) {
  StartDaemon({"--cache_reads=primary"});
  std::vector<cache::ResultSet> rows(kLimitMax);
  std::vector<std::string> valid(kLimitMax);
  for (int n = 1; n <= kLimitMax; ++n) {
    rows[n - 1] = QueryMariaDb(stack_, Sql(n));
    ASSERT_EQ(rows[n - 1].rows.size(), static_cast<size_t>(n));
    valid[n - 1] = cache::EncodeResultSet(rows[n - 1]);
  }
  const std::vector<Corruption> corruptions = Corruptions(valid);
  ASSERT_EQ(corruptions.size(), static_cast<size_t>(kLimitMax));
  for (int n = 1; n <= kLimitMax; ++n) {
    const Corruption& c = corruptions[n - 1];
    // The hit path's own check must refuse each, not only the full parse.
    ASSERT_FALSE(cache::CheckResultSet(c.value).ok()) << c.what;
    ASSERT_FALSE(cache::ValidateResultSet(c.value).ok()) << c.what;
    ASSERT_TRUE(
        primary_
            ->Command({"SET", cache::CacheKey(prefix_, "reviews", Sql(n)),
                       c.value, "EX", "300"})
            .ok());
  }

  // 300 queries over 8 statements (the seed fixes which): each statement's
  // first query meets its corrupt value, the rest hit what that miss stored.
  const std::string run =
      "run queries=300 limit_max=8 ttl_ms=60000 seed=11 concurrency=1";
  ASSERT_EQ(Publish(run), 1);
  std::vector<std::string> events;
  nlohmann::json finished;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    absl::StatusOr<std::string> message =
        events_->ReadMessage(deadline - absl::Now());
    ASSERT_TRUE(message.ok()) << message.status();
    nlohmann::json event = nlohmann::json::parse(*message, nullptr, false);
    events.push_back(event.value("event", "?"));
    if (events.back() == "run_finished") {
      finished = event;
      break;
    }
  }
  EXPECT_THAT(events, ::testing::Not(::testing::Contains("error")));
  const nlohmann::json& summary = finished["summary"];
  ASSERT_TRUE(summary.is_object()) << finished.dump();
  EXPECT_EQ(summary["state"], "finished");
  ExpectCountsAddUp(summary);
  EXPECT_EQ(summary["corrupt_entries"], kLimitMax);
  EXPECT_EQ(summary["misses"], kLimitMax);
  EXPECT_EQ(summary["hits"], 300 - kLimitMax);
  EXPECT_EQ(summary["errors"], 0);
  EXPECT_EQ(summary["latency_us"]["cache_fill"]["count"], kLimitMax);

  for (int n = 1; n <= kLimitMax; ++n) {
    SCOPED_TRACE(corruptions[n - 1].what);
    const std::string key = cache::CacheKey(prefix_, "reviews", Sql(n));
    absl::StatusOr<std::optional<std::string>> value = primary_->Get(key);
    ASSERT_TRUE(value.ok() && value->has_value());
    absl::StatusOr<cache::ResultSet> decoded = cache::DecodeResultSet(**value);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, rows[n - 1]);
    // Re-stored with the run's TTL, not left with the 300 s one set above.
    absl::StatusOr<redis::ReplyPtr> pttl = primary_->Command({"PTTL", key});
    ASSERT_TRUE(pttl.ok());
    EXPECT_GT((*pttl)->integer, 0);
    EXPECT_LE((*pttl)->integer, 60000);
  }
  ASSERT_TRUE(daemon_->running()) << daemon_->Output();

  // Everything is cached now: the same run is all hits.
  ASSERT_EQ(Publish(run), 1);
  nlohmann::json again = WaitForEvent("run_finished")["summary"];
  ExpectCountsAddUp(again);
  EXPECT_EQ(again["hits"], 300);
  EXPECT_EQ(again["misses"], 0);
  EXPECT_EQ(again["corrupt_entries"], 0);
  EXPECT_EQ(again["errors"], 0);
  EXPECT_TRUE(daemon_->running());
}

}  // namespace
}  // namespace dbcache::testing
