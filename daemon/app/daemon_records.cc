// What dbcached writes about a run and a compare: the snapshot every interval,
// the final snapshot and summary, the compare's record; each written again once
// the primary is back if it did not take it.
#include "daemon/app/daemon.h"
#include "daemon/common/json_fields.h"
#include "daemon/common/log.h"
#include "daemon/common/str_cat.h"
#include "daemon/run/stats_json.h"

namespace dbcache::app {

run::SnapshotContext Daemon::Context(bool histograms) const {
  run::SnapshotContext c;
  c.now_ns = scheduler_.NowNanos();
  c.wall_now = scheduler_.WallNow();
  c.sql_template = settings_.sql_template;
  c.histograms = histograms;
  // dbcache:stats carries the live series; a summary carries none.
  c.series = histograms;
  c.in_flight = engine_.in_flight();
  c.max_in_flight = engine_.max_in_flight();
  if (run_tag_.run_id == engine_.stats().run_id()) {
    c.compare_id = run_tag_.compare_id;
    c.compare_role = run_tag_.compare_role;
  }
  // Only dbcache:stats carries them: an event or a run summary is one run's.
  c.totals = histograms ? &engine_.totals() : nullptr;
  return c;
}

void Daemon::PublishSnapshot(Publisher::Done done) {
  published_done_ = engine_.stats().done();
  publisher_.PublishSnapshot(engine_.stats(), Context(true), std::move(done));
}

void Daemon::OnSnapshotTick() {
  if (!engine_.running()) return;
  const run::RunStats& s = engine_.stats();
  if (s.done() != published_done_) {
    PublishSnapshot();
    publisher_.PublishEvent({{"event", "progress"},
                             {"run_id", s.run_id()},
                             {"done", s.done()},
                             {"queries", s.params().queries},
                             {"hits", s.hits()},
                             {"misses", s.misses()},
                             {"coalesced", s.coalesced()},
                             {"errors", s.errors()}});
    UpdateStatus();
  }
  if (settings_.snapshot_interval > absl::ZeroDuration()) {
    snapshot_timer_->Enable(settings_.snapshot_interval);
  }
}

void Daemon::OnRunFinished(const run::RunStats& stats) {
  snapshot_timer_->Disable();
  const double wall_ms =
      static_cast<double>(stats.end_ns() - stats.start_ns()) / 1e6;
  LogInfo(
      "run %s %s: %d queries in %.1f ms, %d hits, %d misses, %d coalesced, "
      "%s%d errors%s%s",
      stats.run_id(), run::RunStateName(stats.state()), stats.done(), wall_ms,
      stats.hits(), stats.misses(), stats.coalesced(),
      stats.writes() == 0
          ? std::string()
          : absl::StrFormat("%d writes (invalidate %s, %d stale reads), ",
                            stats.writes(),
                            run::InvalidateName(stats.params().invalidate),
                            stats.freshness().stale_reads),
      stats.errors(), stats.reason().empty() ? "" : ": ", stats.reason());
  final_pending_ = true;
  PublishFinal();
  UpdateStatus();
  if (comparison_.has_value() && !comparison_->RoleOf(stats.run_id()).empty()) {
    OnComparisonRunFinished(stats);
  }
}

void Daemon::PublishComparisonRecord() {
  // Like a run's summary, the record is written again once the primary is
  // back if this write fails.
  if (compare_record_in_flight_) return;
  compare_record_in_flight_ = true;
  publisher_.PublishComparison(
      *compare_record_pending_,
      [this, id = Text(*compare_record_pending_, "compare_id")](bool ok) {
        compare_record_in_flight_ = false;
        if (!compare_record_pending_.has_value()) return;
        if (Text(*compare_record_pending_, "compare_id") != id) {
          PublishComparisonRecord();  // A newer record came meanwhile.
          return;
        }
        if (ok) {
          compare_record_pending_.reset();
        } else if (!shutting_down_) {
          LogWarning(
              "compare %s: record not written (%s); will write it when the "
              "primary is back",
              id, publisher_.last_error());
        }
      });
}

void Daemon::PublishFinal() {
  // The final snapshot and the summary are the run's record: if the primary is
  // down when the run ends, they are written again once it is back (see
  // OnConnectionState), so nothing is lost.
  if (final_in_flight_) return;
  final_in_flight_ = true;
  const run::RunStats& stats = engine_.stats();
  auto snapshot_ok = std::make_shared<bool>(false);
  PublishSnapshot([snapshot_ok](bool ok) { *snapshot_ok = ok; });
  publisher_.PublishEvent({{"event", "run_finished"},
                           {"run_id", stats.run_id()},
                           {"summary", run::RunJson(stats, Context(false))}});
  publisher_.PublishSummary(
      stats, Context(false), [this, snapshot_ok](bool ok) {
        final_in_flight_ = false;
        if (ok && *snapshot_ok) {
          final_pending_ = false;
        } else if (!shutting_down_) {
          LogWarning(
              "run %s: final snapshot not written (%s); will write it when "
              "the primary is back",
              engine_.stats().run_id(), publisher_.last_error());
        }
        if (shutting_down_) FinishShutdown();
      });
}

}  // namespace dbcache::app
