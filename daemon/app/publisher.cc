#include "daemon/app/publisher.h"

#include <vector>

#include "daemon/common/str_cat.h"

namespace dbcache::app {

Publisher::Publisher(redis::RedisClient& primary, std::string prefix)
    : primary_(primary), prefix_(std::move(prefix)) {}

std::string Publisher::Key(std::string_view suffix) const {
  return StrCat(prefix_, suffix);
}

bool Publisher::Track(const redis::RedisReply& reply) {
  // EXEC answers nil when the transaction was discarded.
  if (reply.ok() && !reply.is_error() && !reply.is_nil()) return true;
  ++failures_;
  last_error_ = reply.is_nil() ? "transaction discarded"
                               : std::string(reply.AsStatus().message());
  return false;
}

void Publisher::PublishSnapshot(const run::RunStats& stats,
                                const run::SnapshotContext& context,
                                Done done) {
  const std::string stats_key = Key("stats");
  const std::string log_key = Key("log");
  const std::string json = run::DumpJson(run::RunJson(stats, context));
  std::vector<std::string> entries;
  entries.reserve(run::RunStats::kLogSize);
  stats.ForEachLog([&](const run::LogEntry& entry) {
    entries.push_back(run::DumpJson(run::LogEntryJson(entry, stats.run_id())));
  });
  // MULTI/EXEC so a reader never sees the log between its DEL and its RPUSH.
  auto track = [this](const redis::RedisReply& r) { (void)Track(r); };
  primary_.Command({"MULTI"}, track);
  primary_.Command({"SET", stats_key, json}, track);
  primary_.Command({"DEL", log_key}, track);
  if (!entries.empty()) {
    std::vector<std::string_view> argv = {"RPUSH", log_key};
    for (const std::string& e : entries) argv.push_back(e);
    primary_.CommandArgv(argv, track);
  }
  primary_.Command({"EXEC"}, [this, done = std::move(done)](
                                 const redis::RedisReply& r) mutable {
    const bool ok = Track(r);
    if (done) done(ok);
  });
}

void Publisher::PublishSummary(const run::RunStats& stats,
                               const run::SnapshotContext& context, Done done) {
  run::SnapshotContext summary_context = context;
  summary_context.histograms = false;
  summary_context.series = false;
  summary_context.totals = nullptr;
  const std::string summary =
      run::DumpJson(run::RunJson(stats, summary_context));
  const std::string runs_key = Key("runs");
  const std::string keep = StrCat(kRunsKept - 1);
  auto track = [this](const redis::RedisReply& r) { (void)Track(r); };
  primary_.Command({"MULTI"}, track);
  primary_.Command({"LPUSH", runs_key, summary}, track);
  primary_.Command({"LTRIM", runs_key, "0", keep}, track);
  primary_.Command({"EXEC"}, [this, done = std::move(done)](
                                 const redis::RedisReply& r) mutable {
    const bool ok = Track(r);
    if (done) done(ok);
  });
}

void Publisher::PublishComparison(const nlohmann::json& record, Done done) {
  const std::string key = Key("compares");
  const std::string keep = StrCat(kComparesKept - 1);
  auto track = [this](const redis::RedisReply& r) { (void)Track(r); };
  primary_.Command({"MULTI"}, track);
  primary_.Command({"LPUSH", key, run::DumpJson(record)}, track);
  primary_.Command({"LTRIM", key, "0", keep}, track);
  primary_.Command({"EXEC"}, [this, done = std::move(done)](
                                 const redis::RedisReply& r) mutable {
    const bool ok = Track(r);
    if (done) done(ok);
  });
}

void Publisher::PublishEvent(const nlohmann::json& event) {
  const std::string channel = Key("events");
  const std::string payload = run::DumpJson(event);
  primary_.Command({"PUBLISH", channel, payload},
                   [this](const redis::RedisReply& r) { (void)Track(r); });
}

void Publisher::PublishHeartbeat(const nlohmann::json& heartbeat,
                                 int64_t ttl_ms) {
  const std::string key = Key("daemon");
  const std::string payload = run::DumpJson(heartbeat);
  const std::string ttl = StrCat(ttl_ms);
  primary_.Command({"SET", key, payload, "PX", ttl},
                   [this](const redis::RedisReply& r) { (void)Track(r); });
}

void Publisher::RemoveHeartbeat(Done done) {
  const std::string key = Key("daemon");
  primary_.Command({"DEL", key}, [this, done = std::move(done)](
                                     const redis::RedisReply& r) mutable {
    const bool ok = Track(r);
    if (done) done(ok);
  });
}

void Publisher::ResetHistory(Done done) {
  const std::string stats = Key("stats");
  const std::string runs = Key("runs");
  const std::string log = Key("log");
  const std::string compares = Key("compares");
  primary_.Command(
      {"DEL", stats, runs, log, compares},
      [this, done = std::move(done)](const redis::RedisReply& r) mutable {
        const bool ok = Track(r);
        if (done) done(ok);
      });
}

}  // namespace dbcache::app
