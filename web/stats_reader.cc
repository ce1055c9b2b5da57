#include "web/stats_reader.h"

#include <utility>

#include "daemon/common/str_cat.h"
#include "web/json_util.h"
#include "web/metrics.h"

namespace dbcache::web {
namespace {

using Json = nlohmann::json;

// A JSON object parsed from Redis, or null when the text is not one.
Json ParseObject(const std::string& text) {
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return nullptr;
  return value;
}

Json ParseObjects(const std::vector<std::string>& texts) {
  Json out = Json::array();
  for (const std::string& text : texts) {
    Json value = ParseObject(text);
    if (!value.is_null()) out.push_back(std::move(value));
  }
  return out;
}

}  // namespace

LiveSnapshot MakeLiveSnapshot(const std::optional<std::string>& stats,
                              const std::optional<std::string>& daemon,
                              const std::vector<std::string>& log) {
  LiveSnapshot snapshot;
  if (stats.has_value()) {
    snapshot.stats = ParseObject(*stats);
    if (snapshot.stats.is_null()) {
      snapshot.stats_problem = "the stats key does not hold a JSON object";
    }
  }
  if (daemon.has_value()) snapshot.daemon = ParseObject(*daemon);
  snapshot.log = ParseObjects(log);

  snapshot.stats_body = snapshot.stats.is_object()
                            ? DumpJson(snapshot.stats)
                            : DumpJson(Json{{"state", "none"}});
  snapshot.log_body = DumpJson(Json{{"entries", snapshot.log}});
  Json status = {{"reader", "ok"},
                 {"daemon_online", snapshot.daemon_online()},
                 {"daemon", snapshot.daemon},
                 {"stats", snapshot.stats},
                 {"log", snapshot.log}};
  if (!snapshot.stats_problem.empty()) {
    status["stats_problem"] = snapshot.stats_problem;
  }
  snapshot.status_body = DumpJson(status);
  snapshot.metrics_body =
      RenderMetrics(/*reader_up=*/true, snapshot.stats, snapshot.daemon);
  return snapshot;
}

ListSnapshot MakeListSnapshot(std::string_view name,
                              const std::vector<std::string>& items) {
  ListSnapshot snapshot;
  snapshot.items = ParseObjects(items);
  snapshot.body = DumpJson(Json{{std::string(name), snapshot.items}});
  return snapshot;
}

const nlohmann::json* ComparesSnapshot::Find(std::string_view id) const {
  for (const nlohmann::json& record : compares) {
    const auto it = record.find("compare_id");
    if (it != record.end() && it->is_string() &&
        it->get_ref<const std::string&>() == id) {
      return &record;
    }
  }
  return nullptr;
}

ComparesSnapshot MakeComparesSnapshot(
    const std::vector<std::string>& compares) {
  ComparesSnapshot snapshot;
  snapshot.compares = ParseObjects(compares);
  Json light = Json::array();
  for (const Json& record : snapshot.compares) {
    Json copy = record;
    copy.erase("series");
    light.push_back(std::move(copy));
  }
  snapshot.body = DumpJson(Json{{"compares", std::move(light)}});
  return snapshot;
}

StatsReader::StatsReader(Options options)
    : prefix_(std::move(options.prefix)),
      pool_(std::move(options.reader)),
      live_(options.max_age, [this] { return FetchLive(); }),
      runs_(options.max_age,
            [this] { return FetchListSnapshot("runs", kRunEntries); }),
      sweeps_(options.max_age,
              [this] { return FetchListSnapshot("sweeps", kSweepEntries); }),
      compares_(options.max_age, [this] { return FetchCompares(); }) {}

absl::StatusOr<LiveSnapshot> StatsReader::FetchLive() {
  const std::string stats_key = StrCat(prefix_, "stats");
  const std::string daemon_key = StrCat(prefix_, "daemon");
  const std::string log_key = StrCat(prefix_, "log");
  absl::StatusOr<std::vector<redis::ReplyPtr>> replies =
      pool_.Call([&](redis::SyncClient& connection) {
        return connection.Pipeline({
            {"GET", stats_key},
            {"GET", daemon_key},
            {"LRANGE", log_key, "0", StrCat(kLogEntries - 1)},
        });
      });
  if (!replies.ok()) return replies.status();
  absl::StatusOr<std::optional<std::string>> stats =
      redis::ReplyString(*(*replies)[0], stats_key);
  if (!stats.ok()) return stats.status();
  absl::StatusOr<std::optional<std::string>> daemon =
      redis::ReplyString(*(*replies)[1], daemon_key);
  if (!daemon.ok()) return daemon.status();
  absl::StatusOr<std::vector<std::string>> log =
      redis::ReplyStrings(*(*replies)[2], log_key);
  if (!log.ok()) return log.status();
  return MakeLiveSnapshot(*stats, *daemon, *log);
}

absl::StatusOr<std::vector<std::string>> StatsReader::FetchList(
    std::string_view suffix, int count) {
  const std::string key = StrCat(prefix_, suffix);
  absl::StatusOr<redis::ReplyPtr> reply =
      pool_.Call([&](redis::SyncClient& connection) {
        return connection.Command({"LRANGE", key, "0", StrCat(count - 1)});
      });
  if (!reply.ok()) return reply.status();
  return redis::ReplyStrings(**reply, key);
}

absl::StatusOr<ListSnapshot> StatsReader::FetchListSnapshot(
    std::string_view name, int count) {
  absl::StatusOr<std::vector<std::string>> items = FetchList(name, count);
  if (!items.ok()) return items.status();
  return MakeListSnapshot(name, *items);
}

absl::StatusOr<ComparesSnapshot> StatsReader::FetchCompares() {
  absl::StatusOr<std::vector<std::string>> compares =
      FetchList("compares", kCompareEntries);
  if (!compares.ok()) return compares.status();
  return MakeComparesSnapshot(*compares);
}

}  // namespace dbcache::web
