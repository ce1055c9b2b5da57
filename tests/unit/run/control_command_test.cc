#include "daemon/run/control_command.h"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "daemon/run/control/run_keys.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::run {
namespace {

using ::testing::HasSubstr;

ControlCommand Parse(std::string_view message) {
  absl::StatusOr<ControlCommand> command = ParseControlMessage(message);
  EXPECT_TRUE(command.ok()) << message << ": " << command.status();
  return command.ok() ? *command : ControlCommand{};
}

std::string Nested(int depth, char open, char close) {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(ControlCommandTest, PlainRunUsesDefaults) {
  const ControlCommand c = Parse("run");
  EXPECT_EQ(c.kind, CommandKind::kRun);
  EXPECT_EQ(c.run, RunParams());
  EXPECT_EQ(c.run.queries, 1000);
  EXPECT_EQ(c.run.concurrency, 1);
  EXPECT_EQ(c.run.ttl_ms, 5000);
  EXPECT_EQ(c.run.limit_max, 75);
  EXPECT_FALSE(c.run.seed.has_value());
  EXPECT_EQ(c.run.id, "");
  EXPECT_TRUE(c.run.cache);
  EXPECT_EQ(c.id, "");
}

TEST(ControlCommandTest, PlainRunWithEveryKey) {
  const ControlCommand c = Parse(
      "  run queries=250\tconcurrency=8 ttl_ms=1500 limit_max=20\n"
      "seed=18446744073709551615 id=r-4.2:x_Y cache=off \r\n");
  EXPECT_EQ(c.kind, CommandKind::kRun);
  EXPECT_EQ(c.run.queries, 250);
  EXPECT_EQ(c.run.concurrency, 8);
  EXPECT_EQ(c.run.ttl_ms, 1500);
  EXPECT_EQ(c.run.limit_max, 20);
  EXPECT_EQ(c.run.seed, UINT64_MAX);
  EXPECT_EQ(c.run.id, "r-4.2:x_Y");
  EXPECT_EQ(c.id, "r-4.2:x_Y");
  EXPECT_FALSE(c.run.cache);
}

TEST(ControlCommandTest, DesignDocExample) {
  const ControlCommand c = Parse("run queries=1000 concurrency=8 ttl_ms=5000");
  RunParams expected;
  expected.concurrency = 8;
  EXPECT_EQ(c.run, expected);
}

TEST(ControlCommandTest, RangeBoundariesAreAccepted) {
  ControlCommand low =
      Parse("run queries=1 concurrency=1 ttl_ms=1 limit_max=1 seed=0 cache=on");
  EXPECT_EQ(low.run.queries, 1);
  EXPECT_EQ(low.run.concurrency, 1);
  EXPECT_EQ(low.run.ttl_ms, 1);
  EXPECT_EQ(low.run.limit_max, 1);
  EXPECT_EQ(low.run.seed, 0u);
  EXPECT_TRUE(low.run.cache);
  ControlCommand high = Parse(
      "run queries=10000000 concurrency=1024 ttl_ms=86400000 "
      "limit_max=1000000");
  EXPECT_EQ(high.run.queries, 10'000'000);
  EXPECT_EQ(high.run.concurrency, 1024);
  EXPECT_EQ(high.run.ttl_ms, 86'400'000);
  EXPECT_EQ(high.run.limit_max, 1'000'000);
  EXPECT_EQ(Parse("run id=" + std::string(64, 'a')).run.id,
            std::string(64, 'a'));
}

TEST(ControlCommandTest, OtherCommands) {
  EXPECT_EQ(Parse("cancel").kind, CommandKind::kCancel);
  EXPECT_EQ(Parse("flush").kind, CommandKind::kFlush);
  EXPECT_EQ(Parse("reset").kind, CommandKind::kReset);
  EXPECT_EQ(Parse(" ping\n").kind, CommandKind::kPing);
  const ControlCommand c = Parse("cancel id=r42");
  EXPECT_EQ(c.kind, CommandKind::kCancel);
  EXPECT_EQ(c.id, "r42");
  EXPECT_EQ(c.run, RunParams());  // only run uses run
}

TEST(ControlCommandTest, JsonDesignDocExample) {
  const ControlCommand c = Parse(R"({"cmd":"run","queries":1000,"id":"r42"})");
  EXPECT_EQ(c.kind, CommandKind::kRun);
  EXPECT_EQ(c.run.queries, 1000);
  EXPECT_EQ(c.run.id, "r42");
  EXPECT_EQ(c.id, "r42");
}

TEST(ControlCommandTest, JsonWithEveryKey) {
  const ControlCommand c = Parse(R"(
    { "queries": 7, "concurrency": 3, "ttl_ms": 60000, "limit_max": 1000000,
      "seed": 18446744073709551615, "id": "abc", "cache": false,
      "cmd": "run" } )");
  EXPECT_EQ(c.kind, CommandKind::kRun);
  EXPECT_EQ(c.run.queries, 7);
  EXPECT_EQ(c.run.concurrency, 3);
  EXPECT_EQ(c.run.ttl_ms, 60000);
  EXPECT_EQ(c.run.limit_max, 1'000'000);
  EXPECT_EQ(c.run.seed, UINT64_MAX);
  EXPECT_EQ(c.run.id, "abc");
  EXPECT_FALSE(c.run.cache);
}

TEST(ControlCommandTest, JsonCacheTakesOnOffAndBooleans) {
  EXPECT_TRUE(Parse(R"({"cmd":"run","cache":true})").run.cache);
  EXPECT_FALSE(Parse(R"({"cmd":"run","cache":false})").run.cache);
  EXPECT_TRUE(Parse(R"({"cmd":"run","cache":"on"})").run.cache);
  EXPECT_FALSE(Parse(R"({"cmd":"run","cache":"off"})").run.cache);
}

TEST(ControlCommandTest, JsonOtherCommands) {
  EXPECT_EQ(Parse(R"({"cmd":"cancel"})").kind, CommandKind::kCancel);
  EXPECT_EQ(Parse(R"({"cmd":"flush"})").kind, CommandKind::kFlush);
  EXPECT_EQ(Parse(R"({"cmd":"reset"})").kind, CommandKind::kReset);
  const ControlCommand c = Parse(R"({"id":"p1","cmd":"ping"})");
  EXPECT_EQ(c.kind, CommandKind::kPing);
  EXPECT_EQ(c.id, "p1");
}

TEST(ControlCommandTest, StampedeRateAndTheirKnobs) {
  const ControlCommand text =
      Parse("run stampede=swr rate=20000 beta=2.5 lock_ms=250 stale_ms=0");
  EXPECT_EQ(text.run.stampede, Stampede::kSwr);
  EXPECT_EQ(text.run.rate, 20000);
  EXPECT_DOUBLE_EQ(text.run.beta, 2.5);
  EXPECT_EQ(text.run.lock_ms, 250);
  EXPECT_EQ(text.run.stale_ms, 0);
  const ControlCommand json = Parse(
      R"({"cmd":"run","stampede":"lock","rate":0,"beta":0,"stale_ms":5})");
  EXPECT_EQ(json.run.stampede, Stampede::kLock);
  EXPECT_EQ(json.run.rate, 0);
  EXPECT_DOUBLE_EQ(json.run.beta, 0.0);
  EXPECT_EQ(json.run.stale_ms, 5);
  EXPECT_DOUBLE_EQ(Parse(R"({"cmd":"run","beta":0.125})").run.beta, 0.125);
  EXPECT_DOUBLE_EQ(Parse("run beta=10").run.beta, 10.0);
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, Stampede>>{
           {"none", Stampede::kNone},
           {"coalesce", Stampede::kCoalesce},
           {"lock", Stampede::kLock},
           {"xfetch", Stampede::kXFetch},
           {"swr", Stampede::kSwr}}) {
    EXPECT_EQ(Parse("run stampede=" + name).run.stampede, value) << name;
    EXPECT_EQ(StampedeName(value), name);
  }
  // The defaults: coalescing, a closed loop, beta 1, stale_ms = ttl_ms.
  const RunParams defaults = Parse("run").run;
  EXPECT_EQ(defaults.stampede, Stampede::kCoalesce);
  EXPECT_EQ(defaults.rate, 0);
  EXPECT_DOUBLE_EQ(defaults.beta, 1.0);
  EXPECT_EQ(defaults.lock_ms, 1000);
  EXPECT_FALSE(defaults.stale_ms.has_value());
}

TEST(ControlCommandTest, DistributionsKeysAndTtlJitter) {
  const ControlCommand text =
      Parse("run dist=zipf:0.99 keys=10000 ttl_jitter_pct=20");
  EXPECT_EQ(text.run.dist->kind, KeyDistribution::Kind::kZipf);
  EXPECT_DOUBLE_EQ(text.run.dist->exponent, 0.99);
  EXPECT_EQ(text.run.keys, 10000);
  EXPECT_EQ(EffectiveKeys(text.run), 10000);
  EXPECT_EQ(text.run.ttl_jitter_pct, 20);
  const ControlCommand json =
      Parse(R"({"cmd":"run","dist":"hotspot:90:10.5","ttl_jitter_pct":0})");
  EXPECT_EQ(json.run.dist->kind, KeyDistribution::Kind::kHotspot);
  EXPECT_DOUBLE_EQ(json.run.dist->hot_requests_pct, 90);
  EXPECT_DOUBLE_EQ(json.run.dist->hot_keys_pct, 10.5);
  EXPECT_EQ(Parse("run dist=sequential").run.dist->kind,
            KeyDistribution::Kind::kSequential);
  // keys defaults to limit_max, the demo's own count of values.
  const RunParams defaults = Parse("run limit_max=40").run;
  // dist unset: the workload's own (the demo's is uniform).
  EXPECT_FALSE(defaults.dist.has_value());
  EXPECT_EQ(defaults.workload, "demo");
  EXPECT_EQ(Parse("run workload=by_customer").run.workload, "by_customer");
  EXPECT_EQ(Parse(R"({"cmd":"run","workload":"mixed"})").run.workload, "mixed");
  EXPECT_FALSE(defaults.keys.has_value());
  EXPECT_EQ(EffectiveKeys(defaults), 40);
  EXPECT_EQ(defaults.ttl_jitter_pct, 0);
  // The canonical text goes back through the parser unchanged.
  for (const std::string form :
       {"uniform", "sequential", "zipf:1.1", "zipf:0.001", "zipf:5",
        "hotspot:90:10", "hotspot:99.5:0.1", "hotspot:100:100"}) {
    absl::StatusOr<KeyDistribution> d = ParseKeyDistribution(form);
    ASSERT_TRUE(d.ok()) << form << ": " << d.status();
    EXPECT_EQ(KeyDistributionName(*d), form);
  }
  EXPECT_EQ(KeyDistributionName(*ParseKeyDistribution("zipf:1.100")),
            "zipf:1.1");
}

TEST(ControlCommandTest, CanonicalJson) {
  ControlCommand run;
  run.kind = CommandKind::kRun;
  EXPECT_EQ(
      ControlCommandToJson(run),
      R"({"cmd":"run","workload":"demo","queries":1000,"concurrency":1,)"
      R"("ttl_ms":5000,"limit_max":75,"cache":true,"stampede":"coalesce",)"
      R"("rate":0,"beta":1.0,"lock_ms":1000,"ttl_jitter_pct":0})");
  ControlCommand ping;
  ping.kind = CommandKind::kPing;
  ping.id = "x";
  EXPECT_EQ(ControlCommandToJson(ping), R"({"cmd":"ping","id":"x"})");
}

TEST(ControlCommandTest, JsonRoundTrip) {
  std::vector<ControlCommand> commands;
  for (CommandKind kind :
       {CommandKind::kRun, CommandKind::kCancel, CommandKind::kFlush,
        CommandKind::kReset, CommandKind::kPing}) {
    ControlCommand plain;
    plain.kind = kind;
    commands.push_back(plain);
    ControlCommand with_id = plain;
    with_id.id = "id-" + std::string(CommandKindName(kind));
    if (kind == CommandKind::kRun) with_id.run.id = with_id.id;
    commands.push_back(with_id);
  }
  ControlCommand full;
  full.kind = CommandKind::kRun;
  full.run.queries = 10'000'000;
  full.run.concurrency = 1024;
  full.run.ttl_ms = 86'400'000;
  full.run.limit_max = 1'000'000;
  full.run.seed = UINT64_MAX;
  full.run.id = "Z9_.:-";
  full.run.cache = false;
  full.run.stampede = Stampede::kSwr;
  full.run.rate = 10'000'000;
  full.run.beta = 9.875;
  full.run.lock_ms = 600'000;
  full.run.stale_ms = 86'400'000;
  full.run.dist = *ParseKeyDistribution("hotspot:99.875:0.125");
  full.run.keys = 1'000'000;
  full.run.ttl_jitter_pct = 100;
  full.run.workload = std::string(kMaxWorkloadNameSize, 'w');
  full.id = "Z9_.:-";
  commands.push_back(full);
  full.run.seed = 0;
  commands.push_back(full);
  for (const ControlCommand& command : commands) {
    const std::string json = ControlCommandToJson(command);
    absl::StatusOr<ControlCommand> parsed = ParseControlMessage(json);
    ASSERT_TRUE(parsed.ok()) << json << ": " << parsed.status();
    EXPECT_EQ(*parsed, command) << json;
  }
}

TEST(ControlCommandTest, CommandKindNames) {
  EXPECT_EQ(CommandKindName(CommandKind::kRun), "run");
  EXPECT_EQ(CommandKindName(CommandKind::kCancel), "cancel");
  EXPECT_EQ(CommandKindName(CommandKind::kFlush), "flush");
  EXPECT_EQ(CommandKindName(CommandKind::kReset), "reset");
  EXPECT_EQ(CommandKindName(CommandKind::kPing), "ping");
}

TEST(ControlCommandTest, CompareTakesRunKeysButCache) {
  const ControlCommand text =
      Parse("compare queries=500 concurrency=4 seed=7 id=c1 dist=zipf:1.1");
  EXPECT_EQ(text.kind, CommandKind::kCompare);
  EXPECT_EQ(CommandKindName(text.kind), "compare");
  EXPECT_EQ(text.run.queries, 500);
  EXPECT_EQ(text.run.concurrency, 4);
  EXPECT_EQ(text.run.seed, 7u);
  EXPECT_EQ(text.id, "c1");
  EXPECT_EQ(text.run.id, "c1");
  const ControlCommand json =
      Parse(R"({"cmd":"compare","queries":500,"concurrency":4,"seed":7,)"
            R"("id":"c1","dist":"zipf:1.1"})");
  EXPECT_EQ(json, text);
  // The canonical form leaves cache out, and parses back to the same.
  const std::string canonical = ControlCommandToJson(text);
  EXPECT_THAT(canonical, ::testing::Not(HasSubstr("cache")));
  EXPECT_EQ(Parse(canonical), text);

  for (const char* bad :
       {"compare cache=off", R"({"cmd":"compare","cache":true})"}) {
    absl::StatusOr<ControlCommand> refused = ParseControlMessage(bad);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_THAT(refused.status().message(),
                HasSubstr("key 'cache' is not allowed with compare"))
        << bad;
  }
  // Its runs are <id>-off and <id>-on: the id leaves room for the suffix.
  EXPECT_TRUE(
      ParseControlMessage("compare id=" + std::string(kMaxCompareIdSize, 'a'))
          .ok());
  absl::StatusOr<ControlCommand> long_id = ParseControlMessage(
      "compare id=" + std::string(kMaxCompareIdSize + 1, 'a'));
  ASSERT_FALSE(long_id.ok());
  EXPECT_THAT(long_id.status().message(), HasSubstr("at most 60 characters"));
  // A run's id may still be 64 long.
  EXPECT_TRUE(ParseControlMessage("run id=" + std::string(64, 'a')).ok());
}

TEST(ControlCommandTest, SizeLimitIsInclusive) {
  std::string padded = "run";
  padded.resize(kMaxControlMessageSize, ' ');
  EXPECT_EQ(Parse(padded).kind, CommandKind::kRun);
}

struct Malformed {
  std::string message;
  std::string error;  // a substring of the expected error message
};

std::vector<Malformed> MalformedMessages() {
  const std::string long_id(65, 'a');
  return {
      // Not text at all.
      {"", "empty message"},
      {" \t\r\n\v\f ", "empty message"},
      {std::string("run\0", 4), "not valid UTF-8 text: control byte 0x00"},
      {"run \x01", "not valid UTF-8 text: control byte 0x01"},
      {"run\x7f", "not valid UTF-8 text: control byte 0x7f"},
      {"run id=\xff", "not valid UTF-8 text: bad byte 0xff at byte 7"},
      {"run id=\xc3\x28", "not valid UTF-8 text"},
      {"run id=\xc0\xaf", "not valid UTF-8 text"},          // overlong '/'
      {"run id=\xed\xa0\x80", "not valid UTF-8 text"},      // surrogate
      {"run id=\xf4\x90\x80\x80", "not valid UTF-8 text"},  // > U+10FFFF
      {"run id=\xe2\x82", "not valid UTF-8 text"},          // cut short
      {std::string(kMaxControlMessageSize + 1, ' '),
       "message of 65537 bytes exceeds 65536"},
      // Plain text.
      {"runn",
       "unknown command 'runn' (expected run, compare, cancel, flush, reset or "
       "ping)"},
      {"RUN", "unknown command 'RUN'"},
      {"queries=5", "unknown command 'queries=5'"},
      {"run querys=10", "unknown key 'querys' (did you mean 'queries'?)"},
      {"run concurency=2",
       "unknown key 'concurency' (did you mean "
       "'concurrency'?)"},
      {"run ttl=10", "unknown key 'ttl' (did you mean 'ttl_ms'?)"},
      {"run ttl_jitter=10",
       "unknown key 'ttl_jitter' (did you mean 'ttl_jitter_pct'?)"},
      {"run colour=red",
       "unknown key 'colour' (known keys: workload, queries,"},
      {"run cmd=run", "unknown key 'cmd'"},
      {"run queries=1 queries=2", "duplicate key 'queries'"},
      {"flush id=a id=b", "duplicate key 'id'"},
      {"run queries", "expected key=value, got 'queries'"},
      {"run =5", "missing key before '=' in '=5'"},
      {"run queries=", "missing value for 'queries'"},
      {"run queries=-5", "queries=-5 is negative"},
      {"run seed=-0", "seed=-0 is negative"},
      {"run queries=0", "queries=0 is out of range 1..10000000"},
      {"run queries=10000001", "queries=10000001 is out of range 1..10000000"},
      {"run queries=99999999999999999999",
       "queries=99999999999999999999 is out of range 1..10000000"},
      {"run seed=18446744073709551616",
       "seed=18446744073709551616 is out of range 0..18446744073709551615"},
      {"run queries=1.5", "queries=1.5 is not an integer"},
      {"run queries=1e3", "queries=1e3 is not an integer"},
      {"run queries=nan", "queries=nan is not an integer"},
      {"run ttl_ms=inf", "ttl_ms=inf is not an integer"},
      {"run queries=1_000", "queries=1_000 is not an integer"},
      {"run queries=0x10", "queries=0x10: hex is not allowed"},
      {"run queries=+5", "queries=+5: a leading '+' is not allowed"},
      {"run queries=010", "queries=010: leading zeros are not allowed"},
      {"run concurrency=0", "concurrency=0 is out of range 1..1024"},
      {"run concurrency=1025", "concurrency=1025 is out of range 1..1024"},
      {"run ttl_ms=86400001", "ttl_ms=86400001 is out of range 1..86400000"},
      {"run limit_max=0", "limit_max=0 is out of range 1..1000000"},
      {"run cache=yes", "cache=yes must be on or off"},
      {"run stampede=coalesced",
       "stampede=coalesced must be one of none, coalesce, lock, xfetch or swr "
       "(did you mean 'coalesce'?)"},
      {"run stampede=NONE", "stampede=NONE must be one of none,"},
      {"run stampede=", "missing value for 'stampede'"},
      {"run stampeed=lock",
       "unknown key 'stampeed' (did you mean 'stampede'?)"},
      {"run rate=-1", "rate=-1 is negative"},
      {"run rate=10000001", "rate=10000001 is out of range 0..10000000"},
      {"run rate=1.5", "rate=1.5 is not an integer"},
      {"run beta=11", "beta=11 is out of range 0..10"},
      {"run beta=-1", "beta=-1 is negative"},
      {"run beta=1.2345", "beta=1.2345 has more than 3 digits after the point"},
      {"run beta=1e3", "beta=1e3 is not a decimal number"},
      {"run beta=.5", "beta=.5 is not a decimal number"},
      {"run beta=5.", "beta=5. is not a decimal number"},
      {"run beta=01.5", "beta=01.5: leading zeros are not allowed"},
      {"run beta=+1", "beta=+1: a leading '+' is not allowed"},
      {"run beta=nan", "beta=nan is not a decimal number"},
      {"run lock_ms=0", "lock_ms=0 is out of range 1..600000"},
      {"run lock=5", "unknown key 'lock' (did you mean 'lock_ms'?)"},
      {"run stale_ms=86400001",
       "stale_ms=86400001 is out of range 0..86400000"},
      {"run stale_ms=x", "stale_ms=x is not an integer"},
      {"run keys=0", "keys=0 is out of range 1..1000000"},
      {"run keys=1000001", "keys=1000001 is out of range 1..1000000"},
      {"run dist=zipf", "dist=zipf takes one exponent: zipf:S"},
      {"run dist=zipf:0", "dist=zipf:0 has an exponent outside (0, 5]"},
      {"run dist=zipf:5.001", "dist=zipf:5.001 has an exponent outside"},
      {"run dist=zipf:-1", "dist=zipf:-1 has an exponent that is not a"},
      {"run dist=zipf:1e1", "dist=zipf:1e1 has an exponent that is not"},
      {"run dist=zipf:1.0001", "has an exponent that is not a decimal"},
      {"run dist=zipf:1:2", "dist=zipf:1:2 takes one exponent"},
      {"run dist=hotspot:90", "dist=hotspot:90 takes two percentages"},
      {"run dist=hotspot:0:10", "has a percentage outside (0, 100]"},
      {"run dist=hotspot:90:101", "has a percentage outside (0, 100]"},
      {"run dist=hotspot:x:1", "has a percentage that is not a decimal"},
      {"run dist=gauss",
       "dist=gauss is not a distribution (forms: "
       "uniform|zipf:S|hotspot:P:Q|sequential)"},
      {"run dist=", "missing value for 'dist'"},
      {"run ttl_jitter_pct=101", "ttl_jitter_pct=101 is out of range 0..100"},
      {"run ttl_jitter_pct=-5", "ttl_jitter_pct=-5 is negative"},
      {"run invalidate=del",
       "invalidate=del must be one of ttl, delete, write_through or "
       "delete_twice"},
      {"run delete_delay_ms=0", "delete_delay_ms=0 is out of range 1..60000"},
      {"run verify=101", "verify=101 is out of range 0..100"},
      {"run workload=By_Customer",
       "workload=By_Customer is not a workload name (allowed: "
       "[a-z][a-z0-9_]{0,63})"},
      {"run workload=1st", "workload=1st is not a workload name"},
      {"run workload=" + std::string(65, 'w'), "is not a workload name"},
      {"run workload=", "missing value for 'workload'"},
      {"run cache=true", "cache=true must be on or off"},
      {"run id=a/b", "id 'a/b' contains '/'"},
      {"run id=caf\xc3\xa9", "id 'caf\xc3\xa9' contains '\xc3\xa9'"},
      {"run id=" + long_id, "is 65 characters long (allowed 1..64)"},
      {"cancel queries=5",
       "key 'queries' is not allowed with cancel (only 'id' is)"},
      {"ping cache=off", "key 'cache' is not allowed with ping"},
      // JSON.
      {R"({"cmd":"run","queries":1000)",
       "invalid JSON at byte 27: syntax error while parsing object - "
       "unexpected end of input"},
      {R"({"cmd":"run",)", "invalid JSON"},
      {R"({"cmd":"run",})", "invalid JSON"},
      {R"({'cmd':'run'})", "invalid JSON"},
      {R"({"cmd":"run"} x)", "trailing characters after the JSON object"},
      {R"({"cmd":"run"}{})", "trailing characters after the JSON object"},
      {R"({"cmd":"run"} // comment)", "trailing characters"},
      {R"(["run"])", "a JSON message must be an object, not an array"},
      {R"("run")", "a JSON message must be an object, not a string"},
      {"42", "a JSON message must be an object, not a number"},
      {"-1", "a JSON message must be an object, not a number"},
      {Nested(1000, '[', ']'), "must be an object, not an array"},
      {Nested(30000, '[', ']'), "must be an object, not an array"},
      {R"({"cmd":)" + Nested(1000, '[', ']') + "}",
       "the value of 'cmd' is an array; nested values are not allowed"},
      {"{}", "missing key 'cmd'"},
      {R"({"queries":10})", "missing key 'cmd'"},
      {R"({"cmd":5})", "'cmd' must be a string, not a number"},
      {R"({"cmd":null})", "'cmd' must be a string, not null"},
      {R"({"cmd":"runn"})", "unknown command 'runn' (expected run, compare"},
      {R"({"cmd":"run","queries":1.5})", "queries=1.5 is not an integer"},
      {R"({"cmd":"run","queries":1e3})", "queries=1e3 is not an integer"},
      {R"({"cmd":"run","queries":1000.0})", "queries=1000.0 is not an integer"},
      {R"({"cmd":"run","queries":"10"})",
       "'queries' must be an integer, not a string"},
      {R"({"cmd":"run","queries":true})",
       "'queries' must be an integer, not a boolean"},
      {R"({"cmd":"run","queries":null})",
       "'queries' must be an integer, not null"},
      {R"({"cmd":"run","queries":-1})", "queries=-1 is negative"},
      {R"({"cmd":"run","concurrency":0})",
       "concurrency=0 is out of range 1..1024"},
      {R"({"cmd":"run","concurrency":1.5})",
       "concurrency=1.5 is not an integer"},
      {R"({"cmd":"run","ttl_ms":86400001})",
       "ttl_ms=86400001 is out of range 1..86400000"},
      {R"({"cmd":"run","ttl_ms":-5})", "ttl_ms=-5 is negative"},
      {R"({"cmd":"run","limit_max":"5"})",
       "'limit_max' must be an integer, not a string"},
      {R"({"cmd":"run","limit_max":1000001})",
       "limit_max=1000001 is out of range 1..1000000"},
      {R"({"cmd":"run","queries":-0})", "queries=-0 is negative"},
      {R"({"cmd":"run","queries":0})", "queries=0 is out of range 1..10000000"},
      {R"({"cmd":"run","queries":99999999999999999999})",
       "queries=99999999999999999999 is out of range 1..10000000"},
      {R"({"cmd":"run","seed":-99999999999999999999})",
       "seed=-99999999999999999999 is negative"},
      {R"({"cmd":"run","seed":18446744073709551616})",
       "seed=18446744073709551616 is out of range"},
      {R"({"cmd":"run","queries":NaN})", "invalid JSON"},
      {R"({"cmd":"run","queries":Infinity})", "invalid JSON"},
      {R"({"cmd":"run","queries":0x10})", "invalid JSON"},
      {R"({"cmd":"run","queries":+5})", "invalid JSON"},
      {R"({"cmd":"run","queries":010})", "invalid JSON"},
      {R"({"cmd":"run","queries":1000,"queries":10})",
       "duplicate key 'queries'"},
      {R"({"cmd":"run","cmd":"ping"})", "duplicate key 'cmd'"},
      {R"({"cmd":"run","querys":10})",
       "unknown key 'querys' (did you mean 'queries'?)"},
      {R"({"cmnd":"run"})", "unknown key 'cmnd' (did you mean 'cmd'?)"},
      {R"({"cmd":"run","queries":{"n":1}})",
       "the value of 'queries' is an object; nested values are not allowed"},
      {R"({"cmd":"run","queries":[1]})", "the value of 'queries' is an array"},
      {R"({"cmd":"run","cache":"yes"})", "cache=yes must be on or off"},
      {R"({"cmd":"run","stampede":1})",
       "'stampede' must be a string, not a number"},
      {R"({"cmd":"run","stampede":"herd"})", "stampede=herd must be one of"},
      {R"({"cmd":"run","rate":-5})", "rate=-5 is negative"},
      {R"({"cmd":"run","rate":"100"})",
       "'rate' must be an integer, not a string"},
      {R"({"cmd":"run","beta":"1"})", "'beta' must be a number, not a string"},
      {R"({"cmd":"run","beta":1e1})", "beta=1e1 is not a decimal number"},
      {R"({"cmd":"run","beta":10.5})", "beta=10.5 is out of range 0..10"},
      {R"({"cmd":"run","beta":-0.5})", "beta=-0.5 is negative"},
      {R"({"cmd":"run","lock_ms":0})", "lock_ms=0 is out of range 1..600000"},
      {R"({"cmd":"run","stale_ms":true})",
       "'stale_ms' must be an integer, not a boolean"},
      {R"({"cmd":"run","keys":"5"})", "'keys' must be an integer, not a"},
      {R"({"cmd":"run","dist":1.1})", "'dist' must be a string, not a number"},
      {R"({"cmd":"run","dist":"zipf:9"})", "has an exponent outside (0, 5]"},
      {R"({"cmd":"run","workload":7})", "'workload' must be a string, not a"},
      {R"({"cmd":"run","workload":"by-customer"})",
       "workload=by-customer is not a workload name"},
      {R"({"cmd":"run","ttl_jitter_pct":50.5})", "ttl_jitter_pct"},
      {R"({"cmd":"run","invalidate":true})",
       "'invalidate' must be a string, not a boolean"},
      {R"({"cmd":"run","delete_delay_ms":"50"})",
       "'delete_delay_ms' must be an integer, not a string"},
      {R"({"cmd":"run","verify":-1})", "verify=-1 is negative"},
      {R"({"cmd":"run","cache":1})",
       "'cache' must be on, off, true or false, not a number"},
      {R"({"cmd":"run","id":42})", "'id' must be a string, not a number"},
      {R"({"cmd":"run","id":""})", "id '' is 0 characters long"},
      {R"({"cmd":"run","id":"a\u0000b"})", R"(contains '\x00')"},
      {R"({"cmd":"ping","queries":5})",
       "key 'queries' is not allowed with ping"},
  };
}

TEST(ControlCommandTest, RejectsMalformedMessagesNamingTheProblem) {
  const std::vector<Malformed> cases = MalformedMessages();
  for (const Malformed& c : cases) {
    SCOPED_TRACE(c.message.substr(0, 80));
    absl::StatusOr<ControlCommand> command = ParseControlMessage(c.message);
    ASSERT_FALSE(command.ok());
    EXPECT_EQ(command.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(command.status().message()), HasSubstr(c.error));
    // Error text goes out in JSON events and logs: keep it short.
    EXPECT_LE(command.status().message().size(), 300u);
  }
}

// The keys the parser knows, as it lists them itself in an error.
std::vector<std::string> KnownRunKeys() {
  absl::StatusOr<ControlCommand> command = ParseControlMessage("run colour=1");
  EXPECT_FALSE(command.ok());
  const std::string message(command.status().message());
  const std::string marker = "(known keys: ";
  const size_t at = message.find(marker);
  EXPECT_NE(at, std::string::npos) << message;
  std::vector<std::string> keys;
  if (at == std::string::npos) return keys;
  std::string list = message.substr(at + marker.size());
  list = list.substr(0, list.find(')'));
  for (size_t start = 0; start < list.size();) {
    size_t end = list.find(", ", start);
    if (end == std::string::npos) end = list.size();
    keys.push_back(list.substr(start, end - start));
    start = end + 2;
  }
  return keys;
}

TEST(ControlCommandTest, EveryKeyHasMalformedCasesInBothForms) {
  // The list comes from the parser, not from this file: a key added to the
  // parser without bad values tested here fails this test.
  const std::vector<std::string> keys = KnownRunKeys();
  ASSERT_GE(keys.size(), 2u);
  const std::vector<Malformed> cases = MalformedMessages();
  for (const std::string& key : keys) {
    SCOPED_TRACE(key);
    bool text = false;
    bool json = false;
    for (const Malformed& c : cases) {
      text = text || (!c.message.starts_with("{") &&
                      c.message.find(" " + key + "=") != std::string::npos);
      json = json || (c.message.starts_with("{") &&
                      c.message.find("\"" + key + "\":") != std::string::npos);
    }
    EXPECT_TRUE(text) << "no malformed plain-text case sets " << key;
    EXPECT_TRUE(json) << "no malformed JSON case sets " << key;
  }
}

TEST(ControlCommandTest, TheReadmeListsEveryRunKeyWithItsValuesAndDefault) {
  std::ifstream in(DBCACHE_README);
  ASSERT_TRUE(in) << DBCACHE_README;
  const std::string readme((std::istreambuf_iterator<char>(in)),
                           std::istreambuf_iterator<char>());
  for (const control::RunKeySpec& key : control::RunKeys()) {
    // Markdown escapes the '|' of a cell.
    std::string values = control::RangeText(key);
    for (size_t at = values.find('|'); at != std::string::npos;
         at = values.find('|', at + 2)) {
      values.replace(at, 1, "\\|");
    }
    const std::string row = "| `" + std::string(key.name) + "` | " + values +
                            " | " + std::string(key.default_text) + " | ";
    EXPECT_NE(readme.find(row), std::string::npos)
        << "README.md has no row starting " << row;
  }
}

TEST(ControlCommandTest, LongUserTextIsCutInErrors) {
  absl::StatusOr<ControlCommand> command =
      ParseControlMessage("run " + std::string(10000, 'k') + "=1");
  ASSERT_FALSE(command.ok());
  const std::string message(command.status().message());
  EXPECT_THAT(message, HasSubstr("unknown key 'kkkk"));
  EXPECT_THAT(message, HasSubstr("...'"));
  EXPECT_LT(command.status().message().size(), 300u);
}

// Every key's value, in both syntaxes: an error that echoed a value whole
// would put up to 64 KiB of user bytes into one `error` event (the fuzzer
// found this for dist).
TEST(ControlCommandTest, LongValuesAreCutInErrorsForEveryKey) {
  const std::string long_value = "zipf:" + std::string(5000, '9');
  for (const control::RunKeySpec& key : control::RunKeys()) {
    for (const std::string& message :
         {"run " + std::string(key.name) + "=" + long_value,
          R"({"cmd":"run",")" + std::string(key.name) + R"(":")" +
              std::string(5000, 'x') + R"("})"}) {
      absl::StatusOr<ControlCommand> command = ParseControlMessage(message);
      ASSERT_FALSE(command.ok()) << key.name;
      EXPECT_LT(command.status().message().size(), 300u)
          << key.name << ": " << command.status().message().substr(0, 300);
    }
  }
}

TEST(ControlCommandTest, NeverCrashesOnMutatedInput) {
  // Mutations of valid messages reach deep into both parsers; any outcome is
  // fine as long as it is a command or an InvalidArgument error.
  const std::vector<std::string> seeds = {
      "run queries=1000 concurrency=8 ttl_ms=5000 seed=1 id=r1 cache=off",
      R"({"cmd":"run","queries":1000,"id":"r42","cache":true,"seed":5})",
      "ping id=x",
  };
  std::mt19937_64 rng(99);
  for (int i = 0; i < 20000; ++i) {
    std::string message = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !message.empty(); ++e) {
      const size_t at = rng() % message.size();
      switch (rng() % 3) {
        case 0:
          message[at] = static_cast<char>(rng());
          break;
        case 1:
          message.erase(at, 1);
          break;
        default:
          message.insert(at, 1, "{}[]\":,=0-. e"[rng() % 13]);
          break;
      }
    }
    absl::StatusOr<ControlCommand> command = ParseControlMessage(message);
    if (!command.ok()) {
      ASSERT_EQ(command.status().code(), absl::StatusCode::kInvalidArgument)
          << message;
      ASSERT_FALSE(command.status().message().empty());
    }
  }
}

// What the heartbeat offers a form (RunChoicesJson) is what the parser takes:
// each listed value runs, the listed default is what a bare `run` gets, and a
// value not listed is refused.
TEST(ControlCommandTest, TheHeartbeatsRunChoicesAreWhatTheParserAccepts) {
  const nlohmann::json choices = control::RunChoicesJson();
  ASSERT_TRUE(choices.contains("stampede"));
  ASSERT_TRUE(choices.contains("invalidate"));
  const nlohmann::json bare =
      nlohmann::json::parse(ControlCommandToJson(*ParseControlMessage("run")));
  for (const auto& [key, choice] : choices.items()) {
    SCOPED_TRACE(key);
    ASSERT_GE(choice["values"].size(), 2u);
    for (const nlohmann::json& value : choice["values"]) {
      const std::string text = "run " + key + "=" + value.get<std::string>();
      absl::StatusOr<ControlCommand> parsed = ParseControlMessage(text);
      ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
      const nlohmann::json json =
          nlohmann::json::parse(ControlCommandToJson(*parsed));
      EXPECT_EQ(json.value(key, choice["default"].get<std::string>()), value)
          << text;
    }
    EXPECT_EQ(bare.value(key, choice["default"].get<std::string>()),
              choice["default"]);
    EXPECT_FALSE(ParseControlMessage("run " + key + "=not_listed").ok());
  }
}

}  // namespace
}  // namespace dbcache::run
