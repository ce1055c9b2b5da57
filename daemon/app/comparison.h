#ifndef DBCACHE_DAEMON_APP_COMPARISON_H_
#define DBCACHE_DAEMON_APP_COMPARISON_H_

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "daemon/run/control_command.h"
#include "nlohmann/json.hpp"

namespace dbcache::app {

// One `compare`: the same seeded workload run with cache=off, then from a
// flushed cache with cache=on, and the record of what the cache did to it.
// The daemon drives the steps; this holds where the compare is and builds the
// record (<prefix>compares, the compare_finished event).
//
//   Comparison c("c1", params, now);          // params.seed set
//   StartRun(c.RunCommand());                 // c1-off, cache=off
//   c.RunEnded(off_summary);                  // true: flush, then
//   c.Flushed(); StartRun(c.RunCommand());    // c1-on, cache=on
//   c.RunEnded(on_summary);
//   Publish(c.Record("finished", "", now));
class Comparison {
 public:
  enum class Phase { kOff, kFlush, kOn, kDone };

  // `params` must carry the seed both runs use.
  Comparison(std::string id, run::RunParams params, absl::Time started_at);

  const std::string& id() const { return id_; }
  Phase phase() const { return phase_; }
  const run::RunParams& params() const { return params_; }
  // "<id>-off" and "<id>-on".
  std::string RunId(bool cache) const;
  // Which of the two runs run_id is: "off", "on", or "" for neither.
  std::string_view RoleOf(std::string_view run_id) const;

  // The run of the current phase (kOff or kOn), as a run command whose id is
  // the run's.
  run::ControlCommand RunCommand() const;
  // The current run's summary (its series included); true when the compare
  // goes on: the cache=off run finished.
  bool RunEnded(nlohmann::json summary);
  void Flushed() { phase_ = Phase::kOn; }

  // The compare's record: state finished, cancelled or failed, why, the two
  // runs' figures side by side, the speed-ups and their series.
  nlohmann::json Record(std::string_view state, std::string_view reason,
                        absl::Time finished_at);

 private:
  const std::string id_;
  run::RunParams params_;
  const absl::Time started_at_;
  Phase phase_ = Phase::kOff;
  nlohmann::json off_;
  nlohmann::json on_;
};

// One side of a compare from its run's summary: run_id, state, done, errors,
// wall_ms, qps (done per second of wall time), p50_us and p99_us (response
// latency: from each query's intended start, which in a closed loop is its
// start), db_queries, hit_ratio.
nlohmann::json CompareSide(const nlohmann::json& summary);

// The effect of the cache, from the two sides: speedup.wall (off's wall time
// / on's), speedup.p50 and .p99 (off's / on's), speedup.qps (on's / off's) and
// db_queries_saved (1 - on's DB statements / off's); each null when a side
// lacks what it divides by, and all null unless both runs finished.
nlohmann::json CompareEffect(const nlohmann::json& off,
                             const nlohmann::json& on);

}  // namespace dbcache::app

#endif  // DBCACHE_DAEMON_APP_COMPARISON_H_
