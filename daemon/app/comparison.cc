#include "daemon/app/comparison.h"

#include <cmath>
#include <utility>

#include "daemon/common/json_fields.h"
#include "daemon/common/str_cat.h"
#include "daemon/run/stats_json.h"

namespace dbcache::app {
namespace {

double Rounded(double value, double scale) {
  return std::round(value * scale) / scale;
}

// a / b to 4 digits, or null when b (or a) is not positive: a ratio of
// nothing is not 0 or infinity, it is unknown.
nlohmann::json Ratio(double a, double b) {
  if (!(a > 0) || !(b > 0)) return nullptr;
  return Rounded(a / b, 1e4);
}

}  // namespace

Comparison::Comparison(std::string id, run::RunParams params,
                       absl::Time started_at)
    : id_(std::move(id)), params_(std::move(params)), started_at_(started_at) {}

std::string Comparison::RunId(bool cache) const {
  return StrCat(id_, cache ? "-on" : "-off");
}

std::string_view Comparison::RoleOf(std::string_view run_id) const {
  if (run_id == RunId(false)) return "off";
  if (run_id == RunId(true)) return "on";
  return "";
}

run::ControlCommand Comparison::RunCommand() const {
  run::ControlCommand command;
  command.kind = run::CommandKind::kRun;
  command.run = params_;
  command.run.cache = phase_ != Phase::kOff;
  command.run.id = RunId(command.run.cache);
  command.id = command.run.id;
  return command;
}

bool Comparison::RunEnded(nlohmann::json summary) {
  const bool finished = Text(summary, "state") == "finished";
  if (phase_ == Phase::kOff) {
    off_ = std::move(summary);
    phase_ = finished ? Phase::kFlush : Phase::kDone;
    return finished;
  }
  on_ = std::move(summary);
  phase_ = Phase::kDone;
  return false;
}

nlohmann::json CompareSide(const nlohmann::json& summary) {
  if (!summary.is_object()) return nullptr;
  const double wall_ms = Number(summary, "wall_ms");
  const double done = Number(summary, "done");
  const nlohmann::json& response =
      Object(Object(summary, "latency_us"), "response");
  return {{"run_id", Text(summary, "run_id")},
          {"state", Text(summary, "state")},
          {"done", std::llround(done)},
          {"errors", std::llround(Number(summary, "errors"))},
          {"wall_ms", wall_ms},
          {"qps", wall_ms > 0 ? Rounded(done / (wall_ms / 1000.0), 10) : 0.0},
          {"p50_us", Number(response, "p50")},
          {"p99_us", Number(response, "p99")},
          {"db_queries", std::llround(Number(summary, "db_queries"))},
          {"hit_ratio", Number(summary, "hit_ratio")}};
}

nlohmann::json CompareEffect(const nlohmann::json& off,
                             const nlohmann::json& on) {
  // A run cut short did less work in less time: no ratio of it means
  // anything.
  if (Text(off, "state") != "finished" || Text(on, "state") != "finished") {
    return {{"speedup",
             {{"wall", nullptr},
              {"p50", nullptr},
              {"p99", nullptr},
              {"qps", nullptr}}},
            {"db_queries_saved", nullptr}};
  }
  const double off_db = Number(off, "db_queries");
  nlohmann::json effect = {
      {"speedup",
       {{"wall", Ratio(Number(off, "wall_ms"), Number(on, "wall_ms"))},
        {"p50", Ratio(Number(off, "p50_us"), Number(on, "p50_us"))},
        {"p99", Ratio(Number(off, "p99_us"), Number(on, "p99_us"))},
        {"qps", Ratio(Number(on, "qps"), Number(off, "qps"))}}}};
  effect["db_queries_saved"] =
      off_db > 0 && on.is_object()
          ? nlohmann::json(
                Rounded(1.0 - Number(on, "db_queries") / off_db, 1e6))
          : nlohmann::json(nullptr);
  return effect;
}

nlohmann::json Comparison::Record(std::string_view state,
                                  std::string_view reason,
                                  absl::Time finished_at) {
  // The runs' own params when the first ran, else those it was asked for.
  nlohmann::json params = Object(off_, "params");
  if (params.empty()) {
    run::ControlCommand asked;
    asked.kind = run::CommandKind::kCompare;
    asked.run = params_;
    params = nlohmann::json::parse(run::ControlCommandToJson(asked), nullptr,
                                   /*allow_exceptions=*/false);
    if (params.is_object()) {
      params.erase("cmd");
      params.erase("id");
    } else {
      params = nlohmann::json::object();
    }
  }
  params.erase("cache");
  const nlohmann::json off = CompareSide(off_);
  const nlohmann::json on = CompareSide(on_);
  nlohmann::json record = {
      {"compare_id", id_},
      {"state", state},
      {"reason", reason},
      {"started_at", run::FormatTimestamp(started_at_)},
      {"finished_at", run::FormatTimestamp(finished_at)},
      {"seed", params_.seed.has_value() ? nlohmann::json(*params_.seed)
                                        : nlohmann::json(nullptr)},
      // For readers whose numbers are doubles (a page): 64 bits as text.
      {"seed_text", params_.seed.has_value() ? StrCat(*params_.seed) : ""},
      {"params", std::move(params)},
      {"off", off},
      {"on", on},
      {"series",
       {{"off", Object(off_, "series")}, {"on", Object(on_, "series")}}}};
  record.update(CompareEffect(off, on));
  return record;
}

}  // namespace dbcache::app
