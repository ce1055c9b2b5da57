#include "web/requests.h"

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace dbcache::web {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kJson = "application/json";

// The error ParseRunRequest answers `body` with; fails the test if it accepts.
HttpError ErrorFor(std::string_view body, std::string_view type = kJson) {
  run::ControlCommand command;
  std::optional<HttpError> error = ParseRunRequest(type, body, &command);
  EXPECT_TRUE(error.has_value()) << "accepted: " << body;
  return error.value_or(HttpError{});
}

run::ControlCommand Accepted(std::string_view body) {
  run::ControlCommand command;
  std::optional<HttpError> error = ParseRunRequest(kJson, body, &command);
  EXPECT_FALSE(error.has_value()) << body << " -> " << error->message;
  return command;
}

TEST(ParseRunRequestTest, ACompareTakesTheRunKeysButCache) {
  run::ControlCommand command;
  ASSERT_FALSE(ParseRunRequest(kJson, R"({"queries":300,"seed":9})", &command,
                               run::CommandKind::kCompare)
                   .has_value());
  EXPECT_EQ(command.kind, run::CommandKind::kCompare);
  EXPECT_EQ(command.run.queries, 300);
  EXPECT_EQ(command.run.seed, 9u);
  std::optional<HttpError> error =
      ParseRunRequest(kJson, R"({"queries":300,"cache":false})", &command,
                      run::CommandKind::kCompare);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status, 400);
  EXPECT_EQ(error->field, "cache");
  EXPECT_THAT(error->message, HasSubstr("not allowed with compare"));
  error = ParseRunRequest(kJson, R"({"cmd":"run"})", &command,
                          run::CommandKind::kCompare);
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(error->message, HasSubstr("POST /api/compares"));
}

TEST(ParseRunRequestTest, AcceptsParameters) {
  run::ControlCommand command = Accepted(
      R"({"queries":1000,"concurrency":8,"ttl_ms":5000,"limit_max":10,)"
      R"("seed":7,"cache":false,"id":"r42"})");
  EXPECT_EQ(command.kind, run::CommandKind::kRun);
  EXPECT_EQ(command.run.queries, 1000);
  EXPECT_EQ(command.run.concurrency, 8);
  EXPECT_EQ(command.run.ttl_ms, 5000);
  EXPECT_EQ(command.run.limit_max, 10);
  EXPECT_EQ(command.run.seed, 7u);
  EXPECT_FALSE(command.run.cache);
  EXPECT_EQ(command.run.id, "r42");
}

TEST(ParseRunRequestTest, EmptyBodyOrObjectMeansDefaults) {
  EXPECT_EQ(Accepted("").run, run::RunParams{});
  EXPECT_EQ(Accepted("  {}  ").run, run::RunParams{});
  EXPECT_TRUE(Accepted("{}").run.id.empty());
}

TEST(ParseRunRequestTest, OutOfRangeNamesTheField) {
  HttpError error = ErrorFor(R"({"queries":0})");
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.field, "queries");
  EXPECT_THAT(error.message, HasSubstr("out of range"));

  error = ErrorFor(R"({"queries":10,"concurrency":5000})");
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.field, "concurrency");
}

TEST(ParseRunRequestTest, UnknownKeyNamesItAndSuggests) {
  HttpError error = ErrorFor(R"({"querys":5})");
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.field, "querys");
  EXPECT_THAT(error.message, HasSubstr("did you mean 'queries'"));
}

TEST(ParseRunRequestTest, WrongTypesNameTheField) {
  for (std::string_view body :
       {R"({"queries":"x"})", R"({"queries":"100"})", R"({"queries":1.5})",
        R"({"queries":-1})", R"({"queries":null})", R"({"queries":[1]})",
        R"({"queries":{"n":1}})", R"({"queries":true})"}) {
    HttpError error = ErrorFor(body);
    EXPECT_EQ(error.status, 400) << body;
    EXPECT_EQ(error.field, "queries") << body;
  }
  EXPECT_EQ(ErrorFor(R"({"cache":"maybe"})").field, "cache");
  EXPECT_EQ(ErrorFor(R"({"id":"bad id!"})").field, "id");
}

TEST(ParseRunRequestTest, CmdIsNotAParameter) {
  HttpError error = ErrorFor(R"({"cmd":"flush"})");
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.field, "cmd");
}

TEST(ParseRunRequestTest, NotAnObject) {
  for (std::string_view body :
       {"[1,2]", "42", "\"run\"", "null", "{", "run", "{\"queries\":1}{}"}) {
    HttpError error = ErrorFor(body);
    EXPECT_EQ(error.status, 400) << body;
    EXPECT_TRUE(error.field.empty()) << body;
  }
}

TEST(ParseRunRequestTest, ContentTypeMustBeJson) {
  EXPECT_EQ(ErrorFor("{}", "text/plain").status, 415);
  EXPECT_EQ(ErrorFor("{}", "").status, 415);
  EXPECT_EQ(ErrorFor("{}", "application/x-www-form-urlencoded").status, 415);
  run::ControlCommand command;
  EXPECT_FALSE(
      ParseRunRequest("Application/JSON; charset=utf-8", "{}", &command));
}

TEST(ParseRunRequestTest, BodyIsCapped) {
  const std::string big(kMaxRequestBody + 1, ' ');
  EXPECT_EQ(ErrorFor(big).status, 413);
  // The size check comes first: no parsing of what is too big to accept.
  EXPECT_EQ(ErrorFor(big, "text/plain").status, 413);
}

TEST(HttpErrorTest, BodyIsJsonWithOptionalField) {
  EXPECT_EQ((HttpError{400, "bad \"x\"", "queries"}.Body()),
            R"({"error":"bad \"x\"","field":"queries"})");
  EXPECT_EQ((HttpError{503, "no daemon", ""}.Body()),
            R"({"error":"no daemon"})");
}

nlohmann::json Doc(std::string_view state, std::string_view updated_at = "") {
  nlohmann::json doc = {{"state", state}};
  if (!updated_at.empty()) doc["updated_at"] = updated_at;
  return doc;
}

TEST(IsRunGoingTest, OneDocumentAlone) {
  const nlohmann::json none = nullptr;
  EXPECT_FALSE(IsRunGoing(none, none));
  EXPECT_TRUE(IsRunGoing(Doc("running"), none));
  EXPECT_FALSE(IsRunGoing(Doc("finished"), none));
  EXPECT_TRUE(IsRunGoing(none, Doc("running")));
  EXPECT_TRUE(IsRunGoing(none, Doc("stopping")));
  EXPECT_FALSE(IsRunGoing(none, Doc("idle")));
  EXPECT_FALSE(
      IsRunGoing(nlohmann::json{{"state", 3}}, nlohmann::json::array()));
}

TEST(IsRunGoingTest, TheNewerDocumentWins) {
  constexpr std::string_view kEarlier = "2026-11-23T21:00:00.000Z";
  constexpr std::string_view kLater = "2026-11-23T21:00:00.900Z";
  // A run just finished; the heartbeat has not caught up yet.
  EXPECT_FALSE(IsRunGoing(Doc("finished", kLater), Doc("running", kEarlier)));
  // A run just started; the heartbeat has not caught up yet.
  EXPECT_TRUE(IsRunGoing(Doc("running", kLater), Doc("idle", kEarlier)));
  // Stats left over by a daemon that died mid-run; a new one is idle.
  EXPECT_FALSE(IsRunGoing(Doc("running", kEarlier), Doc("idle", kLater)));
  // Cancelling: the heartbeat says stopping.
  EXPECT_TRUE(IsRunGoing(Doc("running", kEarlier), Doc("stopping", kLater)));
  EXPECT_TRUE(IsRunGoing(Doc("running", kLater), Doc("running", kLater)));
}

TEST(IsRunGoingTest, WithoutComparableTimesEitherRunningCounts) {
  EXPECT_TRUE(IsRunGoing(Doc("running"), Doc("idle", "2026-11-23T21:00:00Z")));
  EXPECT_TRUE(IsRunGoing(Doc("finished", "yesterday"), Doc("running", "now")));
  EXPECT_FALSE(IsRunGoing(Doc("finished"), Doc("idle")));
}

TEST(MakeRunIdTest, IsValidForTheControlParser) {
  const absl::Time t = absl::FromUnixMillis(1795467600123);  // 2026-11-23.
  const std::string id = MakeRunId(t, 0xc0ffee);
  EXPECT_EQ(id, "w20261123T210000.123Z-00c0ffee");
  absl::StatusOr<run::ControlCommand> parsed =
      run::ParseControlMessage("run id=" + id);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->run.id, id);
}

TEST(BearerTokenMatchesTest, Cases) {
  EXPECT_TRUE(BearerTokenMatches("Bearer s3cret", "s3cret"));
  EXPECT_TRUE(BearerTokenMatches("bearer s3cret", "s3cret"));
  EXPECT_TRUE(BearerTokenMatches("  Bearer   s3cret ", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer s3cretX", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer S3cret", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Basic czNjcmV0", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("s3cret", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer ", ""));
}

TEST(IsLoopbackHostTest, Cases) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("::ffff:127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("LocalHost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.5"));
  EXPECT_FALSE(IsLoopbackHost("example.com"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
}

TEST(IsJsonContentTypeTest, Cases) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType(" application/json ; charset=UTF-8"));
  EXPECT_FALSE(IsJsonContentType("application/jsonp"));
  EXPECT_FALSE(IsJsonContentType("text/json"));
  EXPECT_FALSE(IsJsonContentType(""));
}

}  // namespace
}  // namespace dbcache::web
