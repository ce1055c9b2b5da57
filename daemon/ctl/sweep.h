#ifndef DBCACHE_DAEMON_CTL_SWEEP_H_
#define DBCACHE_DAEMON_CTL_SWEEP_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/config/settings.h"
#include "daemon/run/control_command.h"
#include "nlohmann/json.hpp"

namespace dbcache::ctl {

// A grid of runs: every TTL with every distribution, each from a flushed
// cache, after one cache=off baseline of the same workload, and what each
// cell saved the database.
//
//   SweepOptions o;
//   o.base = params;  // workload, queries, concurrency, invalidate, ...
//   o.ttls_ms = {100, 1000, 10000};
//   o.dists = {"zipf:0.8", "zipf:1.1"};
//   return SweepCommand(settings, o, &interrupted);
struct SweepOptions {
  run::RunParams base;
  std::vector<int64_t> ttls_ms;
  // Canonical distribution texts; empty: the workload's own.
  std::vector<std::string> dists;
  enum class Format { kTable, kCsv, kJson } format = Format::kTable;
};

// The sweeps dbcachectl keeps in Redis (<prefix>sweeps, newest first).
inline constexpr int kKeptSweeps = 20;

// One cell of a sweep from its run's summary and the baseline's:
//   hit_ratio, db_queries, reads (hits + misses + coalesced),
//   db_qps and baseline_db_qps (DB statements per second of each run),
//   db_load_saved = 1 - (DB statements per read) / (the baseline's),
//   e2e_p50_us, e2e_p99_us, stale_ratio, and
//   break_even_hit_ratio h* = (GET + fill) / (DB + fill), from the cell's
//   mean times: the hit ratio above which cache-aside costs less than going
//   to MySQL every time (null until the cell measured all three).
nlohmann::json SweepCell(const nlohmann::json& summary,
                         const nlohmann::json& baseline);

// The sweep as a table for people, CSV (a header row, one row per cell) or
// JSON for scripts.
std::string FormatSweepTable(const nlohmann::json& sweep);
std::string FormatSweepCsv(const nlohmann::json& sweep);

// Runs the sweep; prints progress on stderr and the result on stdout; stores
// it. Once *interrupted turns true the run that is going is cancelled and the
// sweep stops (exit 1). Returns an exit code of daemon_commands.h.
int SweepCommand(const config::Settings& settings, const SweepOptions& options,
                 const std::atomic<bool>* interrupted);

}  // namespace dbcache::ctl

#endif  // DBCACHE_DAEMON_CTL_SWEEP_H_
