// compare against the real stack: the same seeded workload with cache=off and
// then from a flushed cache with cache=on, through dbcachectl and through the
// control channel; its record against each run's own summary; what is busy
// while it goes; a compare cancelled during either run, by dbcachectl's Ctrl-C,
// a cancel message or the daemon's SIGTERM.
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/integration/daemon/daemon_fixture.h"
#include "tests/integration/support/child_process.h"
#include "tests/integration/support/run_counts.h"

namespace dbcache::testing {
namespace {

using ::testing::HasSubstr;

class CompareTest : public DaemonTest {
 protected:
  std::vector<std::string> Ctl(std::vector<std::string> args) const {
    std::vector<std::string> argv = {stack_.bin_dir + "/dbcachectl", "compare",
                                     "--prefix=" + prefix_};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  std::vector<nlohmann::json> List(const std::string& suffix) {
    std::vector<nlohmann::json> items;
    absl::StatusOr<redis::ReplyPtr> list =
        primary_->Command({"LRANGE", Key(suffix), "0", "-1"});
    if (!list.ok()) return items;
    for (size_t i = 0; i < (*list)->elements; ++i) {
      items.push_back(
          nlohmann::json::parse((*list)->element[i]->str, nullptr, false));
    }
    return items;
  }

  nlohmann::json RunSummary(const std::string& run_id) {
    for (nlohmann::json& run : List("runs")) {
      if (run.value("run_id", "") == run_id) return run;
    }
    return nullptr;
  }

  // The next event of any name, or null past the deadline.
  nlohmann::json NextEvent(absl::Time deadline) {
    while (absl::Now() < deadline) {
      absl::StatusOr<std::string> message =
          events_->ReadMessage(deadline - absl::Now());
      if (!message.ok()) break;
      nlohmann::json event = nlohmann::json::parse(*message, nullptr, false);
      if (event.is_object()) return event;
    }
    return nullptr;
  }

  // The record's side against its run's own summary.
  void ExpectSideIsItsRun(const nlohmann::json& side,
                          const nlohmann::json& run) {
    SCOPED_TRACE(run.value("run_id", "?"));
    ASSERT_TRUE(run.is_object());
    ExpectCountsAddUp(run);
    EXPECT_EQ(side["done"], run["done"]);
    EXPECT_EQ(side["db_queries"], run["db_queries"]);
    EXPECT_EQ(side["wall_ms"], run["wall_ms"]);
    EXPECT_EQ(side["p99_us"], run["latency_us"]["response"]["p99"]);
    EXPECT_EQ(side["p50_us"], run["latency_us"]["response"]["p50"]);
    EXPECT_NEAR(
        side["qps"].get<double>(),
        run["done"].get<double>() / (run["wall_ms"].get<double>() / 1e3), 0.1);
  }

  // Waits until the stats say the compare's `role` run is going.
  bool WaitForRole(const std::string& role) {
    return WaitFor(
        [&] {
          const nlohmann::json stats = GetJson(*primary_, Key("stats"));
          return stats.is_object() && stats.value("state", "") == "running" &&
                 stats["compare"].is_object() &&
                 stats["compare"].value("role", "") == role;
        },
        absl::Seconds(30));
  }

  // A record that ended during its `role` run: that run is in it, cancelled,
  // with its counts; the other run is there only if it came first; no effect
  // is claimed.
  void ExpectEndedDuring(const nlohmann::json& record, const std::string& role,
                         const std::string& reason) {
    SCOPED_TRACE(record.dump());
    EXPECT_EQ(record["state"], "cancelled");
    EXPECT_THAT(record.value("reason", ""), HasSubstr(reason));
    const nlohmann::json& side = record[role];
    ASSERT_TRUE(side.is_object());
    EXPECT_EQ(side["state"], "cancelled");
    ExpectSideIsItsRun(side, RunSummary(side["run_id"]));
    if (role == "on") {
      ASSERT_TRUE(record["off"].is_object());
      EXPECT_EQ(record["off"]["state"], "finished");
      ExpectSideIsItsRun(record["off"], RunSummary(record["off"]["run_id"]));
    } else {
      EXPECT_TRUE(record["on"].is_null());
    }
    EXPECT_TRUE(record["db_queries_saved"].is_null());
    for (const char* effect : {"wall", "p50", "p99", "qps"}) {
      EXPECT_TRUE(record["speedup"][effect].is_null()) << effect;
    }
  }

  // The series' points add up to the run's done, interval by interval.
  static void ExpectSeriesAddsUp(const nlohmann::json& series,
                                 const nlohmann::json& side) {
    ASSERT_TRUE(series.is_object()) << series;
    EXPECT_EQ(series["interval_ms"], 100);
    double done = 0;
    for (const nlohmann::json& p : series["points"]) {
      ASSERT_TRUE(p.is_array() && p.size() == 10u) << p;
      const double outcomes = p[3].get<double>() + p[4].get<double>() +
                              p[5].get<double>() + p[6].get<double>() +
                              p[7].get<double>();
      EXPECT_EQ(outcomes, p[2].get<double>()) << p;
      done += p[2].get<double>();
    }
    EXPECT_GE(series["points"].size(), 1u);
    EXPECT_EQ(done, side["done"].get<double>());
  }
};

TEST_F(CompareTest, CtlComparesOneSeedOffThenOnAndItsRecordIsTheRuns) {
  StartDaemon({"--cache_reads=primary"});
  const RunResult result = RunProgram(
      Ctl({"--queries=600", "--concurrency=4", "--keys=40", "--seed=11"}),
      stack_.ProgramEnv());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("cache=off     cache=on   effect"));
  EXPECT_THAT(result.output, HasSubstr(", seed 11\n"));
  EXPECT_THAT(result.output, HasSubstr("x faster"));

  const std::vector<nlohmann::json> compares = List("compares");
  ASSERT_EQ(compares.size(), 1u);
  const nlohmann::json& r = compares[0];
  EXPECT_EQ(r["state"], "finished");
  EXPECT_EQ(r["seed"], 11);
  EXPECT_FALSE(r["params"].contains("cache"));
  const std::string id = r["compare_id"];
  EXPECT_THAT(result.output,
              HasSubstr("runs " + id + "-off and " + id + "-on"));
  const nlohmann::json off = RunSummary(id + "-off");
  const nlohmann::json on = RunSummary(id + "-on");
  ExpectSideIsItsRun(r["off"], off);
  ExpectSideIsItsRun(r["on"], on);
  // The same workload: one seed, the same keys; cache off, then on.
  EXPECT_EQ(off["params"]["seed"], 11);
  EXPECT_EQ(on["params"]["seed"], 11);
  EXPECT_EQ(off["params"]["cache"], false);
  EXPECT_EQ(on["params"]["cache"], true);
  EXPECT_EQ(off["compare"], (nlohmann::json{{"id", id}, {"role", "off"}}));
  EXPECT_EQ(on["compare"], (nlohmann::json{{"id", id}, {"role", "on"}}));
  // Without the cache every query is a statement; with it, from an empty
  // cache, each of the 40 keys misses once (coalesced misses, read from the
  // primary).
  EXPECT_EQ(off["db_queries"], 600);
  EXPECT_EQ(off["hits"], 0);
  EXPECT_EQ(on["db_queries"], 40);
  EXPECT_EQ(on["misses"], 40);
  EXPECT_NEAR(r["db_queries_saved"].get<double>(), 1.0 - 40.0 / 600.0, 1e-6);
  // The speed-ups are the sides' own ratios.
  EXPECT_NEAR(r["speedup"]["wall"].get<double>(),
              off["wall_ms"].get<double>() / on["wall_ms"].get<double>(), 1e-3);
  EXPECT_NEAR(
      r["speedup"]["p99"].get<double>(),
      r["off"]["p99_us"].get<double>() / r["on"]["p99_us"].get<double>(), 1e-3);
  ExpectSeriesAddsUp(r["series"]["off"], r["off"]);
  ExpectSeriesAddsUp(r["series"]["on"], r["on"]);
  // The run history keeps no series; the live snapshot does.
  EXPECT_FALSE(on.contains("series"));
  EXPECT_TRUE(GetJson(*primary_, Key("stats")).contains("series"));
}

TEST_F(CompareTest, ACompareOverTheChannelSaysWhatItDidAndRefusesWhatItMust) {
  StartDaemon({"--cache_reads=primary"});
  ASSERT_EQ(Publish("compare queries=200 id=cx cache=on"), 1);
  nlohmann::json error = WaitForEvent("error");
  EXPECT_EQ(error["error"], "invalid");
  EXPECT_EQ(error["id"], "cx");
  EXPECT_THAT(error["message"].get<std::string>(),
              HasSubstr("not allowed with compare"));
  ASSERT_EQ(Publish("compare queries=200 id=cy workload=nope"), 1);
  error = WaitForEvent("error");
  EXPECT_EQ(error["error"], "unknown_workload");
  EXPECT_EQ(error["id"], "cy");

  // Back to back: the daemon takes them in order, so all but the first find
  // the compare going (a run, another compare, a flush, a reset).
  ASSERT_EQ(Publish(R"({"cmd":"compare","queries":300,"id":"c7"})"), 1);
  ASSERT_EQ(Publish("run queries=10 id=r9"), 1);
  ASSERT_EQ(Publish("compare queries=10 id=c8"), 1);
  ASSERT_EQ(Publish("flush id=f9"), 1);
  ASSERT_EQ(Publish("reset id=z9"), 1);
  const nlohmann::json started = WaitForEvent("compare_started");
  EXPECT_EQ(started["id"], "c7");
  EXPECT_EQ(started["runs"], (nlohmann::json{"c7-off", "c7-on"}));
  EXPECT_TRUE(started["seed"].is_number_unsigned());  // the daemon's pick
  int busy = 0;
  nlohmann::json finished;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (finished.is_null()) {
    const nlohmann::json event = NextEvent(deadline);
    ASSERT_FALSE(event.is_null()) << "no compare_finished within 60 s";
    const std::string name = event.value("event", "");
    if (name == "error" && event.value("error", "") == "busy") {
      EXPECT_THAT(event.value("id", ""),
                  ::testing::AnyOf("r9", "c8", "f9", "z9"));
      ++busy;
    }
    if (name == "compare_finished") finished = event;
  }
  EXPECT_EQ(busy, 4);
  EXPECT_EQ(finished["id"], "c7");
  const nlohmann::json& r = finished["compare"];
  EXPECT_EQ(r["state"], "finished");
  EXPECT_EQ(r["seed"], started["seed"]);
  EXPECT_EQ(r["off"]["done"], 300);
  EXPECT_EQ(r["on"]["done"], 300);
  ExpectCountsAddUp(RunSummary("c7-off"));
  ExpectCountsAddUp(RunSummary("c7-on"));
  // The record the event carries is the one kept.
  const std::vector<nlohmann::json> compares = List("compares");
  ASSERT_EQ(compares.size(), 1u);
  EXPECT_EQ(compares[0], r);
  // reset clears compares with the rest of the history.
  ASSERT_EQ(Publish("reset id=z"), 1);
  WaitForEvent("reset");
  EXPECT_TRUE(List("compares").empty());
}

TEST_F(CompareTest, CtrlCDuringTheOffRunCancelsTheCompareWithItsReason) {
  StartDaemon({"--cache_reads=primary"});
  // 4 s at 2,000 queries/s: long enough to interrupt.
  ChildProcess compare(
      Ctl({"--queries=8000", "--rate=2000", "--concurrency=4"}),
      stack_.ProgramEnv());
  ASSERT_TRUE(WaitFor(
      [&] {
        const nlohmann::json stats = GetJson(*primary_, Key("stats"));
        return stats.is_object() && stats.value("state", "") == "running" &&
               stats["compare"].is_object() &&
               stats["compare"].value("role", "") == "off";
      },
      absl::Seconds(30)))
      << compare.Output();
  compare.Signal(SIGINT);
  const std::optional<int> code = compare.WaitForExit(absl::Seconds(10));
  ASSERT_TRUE(code.has_value()) << compare.Output();
  EXPECT_EQ(*code, 1) << compare.Output();
  EXPECT_THAT(compare.Output(), HasSubstr("(cancelled: the cache=off run "
                                          "cancelled"));
  const std::vector<nlohmann::json> compares = List("compares");
  ASSERT_EQ(compares.size(), 1u);
  EXPECT_EQ(compares[0]["state"], "cancelled");
  EXPECT_TRUE(compares[0]["on"].is_null());
  ExpectCountsAddUp(RunSummary(compares[0]["off"]["run_id"]));
  EXPECT_EQ(WaitForEvent("compare_finished")["compare"], compares[0]);
  // Nothing of it is left going: the daemon takes the next run at once.
  const nlohmann::json next = RunToEnd("run queries=50");
  EXPECT_EQ(next["state"], "finished");
}

TEST_F(CompareTest, ACancelDuringTheOnRunKeepsBothRunsAndClaimsNoEffect) {
  StartDaemon({"--cache_reads=primary"});
  // 1.5 s per run at 2,000 queries/s: the cancel lands in the cache=on run.
  ASSERT_EQ(Publish("compare queries=3000 rate=2000 concurrency=4 id=cc"), 1);
  ASSERT_TRUE(WaitForRole("on"));
  ASSERT_EQ(Publish("cancel"), 1);
  const nlohmann::json finished = WaitForEvent("compare_finished");
  EXPECT_EQ(finished["id"], "cc");
  ExpectEndedDuring(finished["compare"], "on", "the cache=on run cancelled");
  const std::vector<nlohmann::json> compares = List("compares");
  ASSERT_EQ(compares.size(), 1u);
  EXPECT_EQ(compares[0], finished["compare"]);
  // The daemon is free again.
  EXPECT_EQ(RunToEnd("run queries=50")["state"], "finished");
}

// SIGTERM in either run: the run drains, the record says why and is written
// before the daemon exits 0.
TEST_F(CompareTest, SigtermDuringEitherRunWritesTheRecordBeforeExiting) {
  for (const std::string role : {"off", "on"}) {
    SCOPED_TRACE(role);
    StartDaemon({"--cache_reads=primary"});
    ASSERT_EQ(Publish(absl::StrCat("compare queries=3000 rate=2000 "
                                   "concurrency=4 id=ct-",
                                   role)),
              1);
    ASSERT_TRUE(WaitForRole(role)) << daemon_->Output();
    daemon_->Signal(SIGTERM);
    // The drain limit and Redis's confirmation bound the exit (see
    // DaemonTest.SigtermMidRunExitsZeroWithFinalSnapshotAndSummary).
    EXPECT_EQ(daemon_->WaitForExit(absl::Seconds(10)), 0) << daemon_->Output();
    const std::vector<nlohmann::json> compares = List("compares");
    ASSERT_FALSE(compares.empty());
    EXPECT_EQ(compares[0]["compare_id"], "ct-" + role);
    ExpectEndedDuring(compares[0], role, "SIGTERM");
    EXPECT_TRUE(GetJson(*primary_, Key("daemon")).is_null());
  }
}

}  // namespace
}  // namespace dbcache::testing
