#include "daemon/run/daemon_totals.h"

#include <string>

#include "daemon/run/stats_json.h"

namespace dbcache::run {
namespace {

constexpr std::array<uint64_t, DaemonTotals::kBoundsSeconds.size()> BoundsNs() {
  std::array<uint64_t, DaemonTotals::kBoundsSeconds.size()> out{};
  for (size_t i = 0; i < out.size(); ++i) {
    // Rounded: 0.000025 s is not exact in binary.
    out[i] = static_cast<uint64_t>(DaemonTotals::kBoundsSeconds[i] * 1e9 + 0.5);
  }
  return out;
}
constexpr auto kBoundsNs = BoundsNs();

// In the order of DaemonTotals::kSources.
using SourceOf = const LatencyHistogram& (RunStats::*)() const;
constexpr std::array<SourceOf, DaemonTotals::kSources.size()> kSourceOf = {
    &RunStats::cache_hit, &RunStats::db,         &RunStats::db_connect,
    &RunStats::pool_wait, &RunStats::cache_fill, &RunStats::coalesced_wait,
    &RunStats::db_write,  &RunStats::end_to_end, &RunStats::response};

}  // namespace

void DaemonTotals::Latency::Add(const LatencyHistogram& histogram) {
  // A fine bucket holds values below its upper bound; it goes to the first
  // bound that holds all of them. One that straddles a bound goes above it,
  // which undercounts that bound by at most 1/128 of its value's width.
  size_t bound = 0;
  histogram.ForEachBucket([&](uint64_t, uint64_t upper_ns, uint64_t n) {
    while (bound < kBoundsNs.size() && upper_ns - 1 > kBoundsNs[bound]) {
      ++bound;
    }
    counts[bound] += n;
  });
  sum_seconds += static_cast<double>(histogram.sum()) / 1e9;
  count += histogram.count();
}

void DaemonTotals::Counts::Add(const RunStats& run) {
  ++runs;
  hits += run.hits();
  misses += run.misses();
  coalesced += run.coalesced();
  writes += run.writes();
  errors += run.errors();
  for (size_t i = 0; i < errors_by_kind.size(); ++i) {
    errors_by_kind[i] += run.errors(static_cast<ErrorKind>(i));
  }
  db_queries += run.db_queries();
  db_writes += run.db_writes();
  fills += run.fills();
  fill_errors += run.fill_errors();
  corrupt_entries += run.corrupt_entries();
  lock_waits += run.lock_waits();
  early_refreshes += run.early_refreshes();
  refreshes += run.refreshes();
  stale_served += run.stale_served();
  key_expiries += run.expiries().expiries();
  late_starts += run.late_starts();
  for (size_t i = 0; i < latency.size(); ++i) {
    latency[i].Add((run.*kSourceOf[i])());
  }
}

void DaemonTotals::AddRun(const RunStats& run) { finished_.Add(run); }

nlohmann::json DaemonTotals::Json(const RunStats* current) const {
  Counts c = finished_;
  if (current != nullptr) c.Add(*current);
  nlohmann::json errors_by_kind = nlohmann::json::object();
  for (size_t i = 0; i < c.errors_by_kind.size(); ++i) {
    errors_by_kind[std::string(ErrorKindName(static_cast<ErrorKind>(i)))] =
        c.errors_by_kind[i];
  }
  nlohmann::json latency = nlohmann::json::object();
  for (size_t i = 0; i < kSources.size(); ++i) {
    const Latency& l = c.latency[i];
    nlohmann::json buckets = nlohmann::json::array();
    uint64_t cumulative = 0;
    for (uint64_t n : l.counts) buckets.push_back(cumulative += n);
    latency[std::string(kSources[i])] = {{"buckets", std::move(buckets)},
                                         {"sum", l.sum_seconds},
                                         {"count", l.count}};
  }
  return {{"started_at", FormatTimestamp(started_at_)},
          {"started_at_unix", absl::ToUnixMillis(started_at_) / 1000.0},
          {"runs", c.runs},
          {"queries",
           {{"hit", c.hits},
            {"miss", c.misses},
            {"coalesced", c.coalesced},
            {"write", c.writes},
            {"error", c.errors}}},
          {"errors_by_kind", std::move(errors_by_kind)},
          {"db_queries", c.db_queries},
          {"db_writes", c.db_writes},
          {"fills", c.fills},
          {"fill_errors", c.fill_errors},
          {"corrupt_entries", c.corrupt_entries},
          {"lock_waits", c.lock_waits},
          {"early_refreshes", c.early_refreshes},
          {"refreshes", c.refreshes},
          {"stale_served", c.stale_served},
          {"key_expiries", c.key_expiries},
          {"late_starts", c.late_starts},
          {"latency_le_seconds", kBoundsSeconds},
          {"latency_seconds", std::move(latency)}};
}

}  // namespace dbcache::run
