// dbcachectl: the operator's command line (seed the database, ...). See --help.
#include <signal.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "daemon/common/str_cat.h"
#include "daemon/config/command_line.h"
#include "daemon/config/settings.h"
#include "daemon/ctl/cancel_on_interrupt.h"
#include "daemon/ctl/compare_table.h"
#include "daemon/ctl/daemon_commands.h"
#include "daemon/ctl/mysql_session.h"
#include "daemon/ctl/seed.h"
#include "daemon/ctl/sweep.h"
#include "daemon/run/control/run_keys.h"
#include "daemon/run/control_command.h"
#include "daemon/run/workload/workload_file.h"

ABSL_FLAG(int64_t, rows, 100000, "seed: rows to load");
// Shared by seed (the synthetic data's seed, default 1) and run (the workload's
// seed, default random): unset is distinguishable from any value.
ABSL_FLAG(std::optional<uint64_t>, seed, std::nullopt,
          "seed: seed of the synthetic data; run: seed of the workload");
// The run's keys, one flag each, as text: dbcachectl checks them with the
// daemon's own parser (run_keys.h), so that a bad value is refused here with
// the same message. Empty: the key's default.
ABSL_FLAG(std::string, workload, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, queries, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, concurrency, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, ttl_ms, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, limit_max, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, cache, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, id, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, stampede, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, rate, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, beta, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, lock_ms, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, stale_ms, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, keys, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, dist, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, ttl_jitter_pct, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, invalidate, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, delete_delay_ms, "", "run: see 'Flags of run'");
ABSL_FLAG(std::string, verify, "", "run: see 'Flags of run'");
ABSL_FLAG(bool, csv, false, "sweep: print the result as CSV");
ABSL_FLAG(bool, json, false, "sweep, compare: print the result as JSON");
ABSL_FLAG(bool, wait, false, "run: follow the run and print its summary");
ABSL_FLAG(std::string, load_method, "auto", "seed: auto, infile or insert");

namespace dbcache {
namespace {

constexpr std::string_view kProgram = "dbcachectl";

// A subcommand gets the resolved settings and returns the process's exit code.
struct Subcommand {
  std::string_view name;
  std::string_view usage;  // Arguments, for the synopsis.
  std::string_view summary;
  int (*run)(const config::Settings& settings);
};

int RunSeed(const config::Settings& settings);
int RunVerify(const config::Settings& settings);
int RunRun(const config::Settings& settings);
int RunWorkloads(const config::Settings& settings);
int RunSweep(const config::Settings& settings);
int RunCompare(const config::Settings& settings);
int RunStatus(const config::Settings& settings) {
  return ctl::StatusCommand(settings);
}
int RunFlush(const config::Settings& settings) {
  return ctl::SimpleCommand(settings, run::CommandKind::kFlush,
                            absl::Seconds(30));
}
int RunReset(const config::Settings& settings) {
  return ctl::SimpleCommand(settings, run::CommandKind::kReset,
                            absl::Seconds(10));
}
int RunCancel(const config::Settings& settings) {
  return ctl::SimpleCommand(settings, run::CommandKind::kCancel,
                            absl::Seconds(15));
}

constexpr Subcommand kSubcommands[] = {
    {"seed", "[--rows N] [--seed S]",
     "load N synthetic reviews (no-op if loaded)", RunSeed},
    {"verify", "", "print row count, seed and checksums", RunVerify},
    {"run", "[--queries N] [--wait] ...",
     "ask dbcached for a run; --wait follows it", RunRun},
    {"sweep", "--ttl-ms A,B [--dist D]",
     "run a TTL x dist grid: what "
     "the cache saves",
     RunSweep},
    {"compare", "[--queries N] ...",
     "the same run with cache=off, then cache=on", RunCompare},
    {"workloads", "[--workloads FILE]",
     "check the workload file and list its workloads", RunWorkloads},
    {"status", "", "daemon heartbeat and the last run's summary", RunStatus},
    {"flush", "", "remove cached results (SCAN + UNLINK)", RunFlush},
    {"reset", "", "clear stats, run history and query log", RunReset},
    {"cancel", "", "stop the run that is going", RunCancel},
};

// "Flags of run", from the one table of run keys.
std::string RunFlagsHelp() {
  std::string text =
      "Flags of run (flag names take - or _; the keys of a run "
      "message):\n";
  constexpr size_t kIndent = 19;
  constexpr size_t kWidth = 79;
  for (const run::control::RunKeySpec& key : run::control::RunKeys()) {
    std::string flag(key.name);
    std::replace(flag.begin(), flag.end(), '_', '-');
    const std::string words =
        dbcache::StrCat(key.help, "; ", run::control::RangeText(key),
                        " (default ", key.default_text, ")");
    // Wrapped at word boundaries under the flag's name.
    std::string line = absl::StrFormat("  --%-14s", flag);
    size_t start = 0;
    while (start < words.size()) {
      size_t end = words.find(' ', start);
      if (end == std::string::npos) end = words.size();
      const std::string_view word(words.data() + start, end - start);
      if (line.size() + 1 + word.size() > kWidth && line.size() > kIndent) {
        text += line + "\n";
        line = std::string(kIndent - 1, ' ');
      }
      dbcache::StrAppend(&line, " ", word);
      start = end + 1;
    }
    text += line + "\n";
  }
  text +=
      "  --wait           follow the run (progress bar on a terminal) and\n"
      "                   print its summary\n";
  return text;
}

constexpr std::string_view kExtraHelpTail =
    "\n"
    "Exit codes: 0 done; 1 the run failed or was cancelled; 2 bad usage; 3 "
    "Redis\n"
    "unreachable or no daemon subscribed; 4 the daemon refused (busy, "
    "invalid).\n"
    "\n"
    "Flags of sweep (and any flag of run but --id and --cache, for every "
    "cell):\n"
    "  --ttl-ms A,B,...       the TTLs to try, ms (required)\n"
    "  --dist D,E,...         the distributions to try (default: the "
    "workload's)\n"
    "  --csv, --json          print the result as CSV or JSON, not a table\n"
    "  Each cell runs from a flushed cache, after one cache=off baseline; "
    "the\n"
    "  sweep is kept in <prefix>sweeps (the last 20). Ctrl-C cancels the run "
    "that\n"
    "  is going and stops the sweep (exit 1); a second Ctrl-C quits at "
    "once.\n"
    "\n"
    "Flags of compare (any flag of run but --cache):\n"
    "  --json                 print the compare's record as JSON, not a "
    "table\n"
    "  Runs the workload with cache=off, then from a flushed cache with "
    "cache=on,\n"
    "  with one seed (--seed, or the daemon's pick), and prints both with "
    "the\n"
    "  speed-ups. Kept in <prefix>compares (the last 20) and shown by the "
    "page at\n"
    "  /?compare=<id>. Ctrl-C cancels it (exit 1).\n"
    "\n"
    "Flags of seed:\n"
    "  --rows N               rows to load, 1..100000000 (default 100000)\n"
    "  --seed S               seed of the synthetic data: the same N and S "
    "give the\n"
    "                         same rows everywhere (default 1)\n"
    "  --load_method M        auto (LOAD DATA LOCAL INFILE, or INSERTs where "
    "the\n"
    "                         server refuses it), infile or insert (default "
    "auto)\n";

const std::string& Synopsis() {
  static const std::string* synopsis = [] {
    auto* text = new std::string(
        "usage: dbcachectl <command> [flags]\n"
        "\n"
        "The operator's command line for dbcache.\n"
        "\n"
        "Commands:\n");
    for (const Subcommand& command : kSubcommands) {
      const std::string head =
          dbcache::StrCat(command.name, " ", command.usage);
      absl::StrAppendFormat(text, "  %-30s %s\n", head, command.summary);
    }
    text->pop_back();  // The help text adds its own line breaks.
    return text;
  }();
  return *synopsis;
}

std::string CommandNames() {
  std::string names;
  for (const Subcommand& command : kSubcommands) {
    dbcache::StrAppend(&names, names.empty() ? "" : ", ", command.name);
  }
  return names;
}

// One line on stderr, prefixed with the program's name.
int Fail(int code, std::string_view message) {
  absl::FPrintF(stderr, "%s: %s\n", kProgram, message);
  return code;
}

absl::StatusOr<ctl::MysqlSession> Connect(const config::Settings& settings,
                                          int64_t rows) {
  if (absl::Status ca = config::CheckMysqlTlsCa(settings); !ca.ok()) return ca;
  return ctl::MysqlSession::Connect(ctl::SeedConnectionOptions(settings, rows));
}

int RunSeed(const config::Settings& settings) {
  ctl::SeedOptions options;
  options.rows = absl::GetFlag(FLAGS_rows);
  options.seed = absl::GetFlag(FLAGS_seed).value_or(1);
  if (options.rows < ctl::kMinSeedRows || options.rows > ctl::kMaxSeedRows) {
    return Fail(
        2, absl::StrFormat("--rows must be %d..%d, not %d", ctl::kMinSeedRows,
                           ctl::kMaxSeedRows, options.rows));
  }
  absl::StatusOr<ctl::LoadMethod> method =
      ctl::ParseLoadMethod(absl::GetFlag(FLAGS_load_method));
  if (!method.ok()) {
    return Fail(2,
                dbcache::StrCat("--load_method: ", method.status().message()));
  }
  options.method = *method;

  absl::StatusOr<ctl::MysqlSession> session = Connect(settings, options.rows);
  if (!session.ok()) return Fail(1, AsStd(session.status().message()));
  absl::StatusOr<ctl::SeedResult> result =
      ctl::Seed(*session, settings.mysql_database, options);
  if (!result.ok()) {
    return Fail(1, dbcache::StrCat("seed failed: ", result.status().message()));
  }
  const std::string table =
      dbcache::StrCat(settings.mysql_database, ".reviews");
  if (result->schema_additions > 0) {
    absl::PrintF(
        "%s already holds the %d rows of seed %d (checksum %s); added %d of "
        "the named workloads' version column and indexes\n",
        table, result->rows, result->seed, result->data_checksum,
        result->schema_additions);
    return 0;
  }
  if (result->unchanged) {
    absl::PrintF(
        "%s already holds the %d rows of seed %d (checksum %s): nothing to "
        "do\n",
        table, result->rows, result->seed, result->data_checksum);
    return 0;
  }
  const double seconds = absl::ToDoubleSeconds(result->elapsed);
  absl::PrintF(
      "seeded %d rows in %.2f s (%.0f rows/s) into %s (seed %d, checksum "
      "%s, via %s)\n",
      result->rows, seconds, result->rows / std::max(seconds, 1e-6), table,
      result->seed, result->data_checksum, ctl::LoadMethodName(result->method));
  return 0;
}

// The run flags as a run message, checked by the parser dbcached uses; the
// keys in `skip` are left to the caller (a sweep's lists).
absl::StatusOr<run::RunParams> RunParamsFromFlags(
    std::initializer_list<std::string_view> skip = {}) {
  std::string message = "run";
  for (const run::control::RunKeySpec& key : run::control::RunKeys()) {
    if (std::find(skip.begin(), skip.end(), key.name) != skip.end()) continue;
    // Every key has its flag of the same name (a test runs each).
    const absl::CommandLineFlag* flag =
        absl::FindCommandLineFlag(AsAbsl(key.name));
    if (flag == nullptr) {
      return absl::InternalError(
          absl::StrFormat("run key %s has no flag", key.name));
    }
    const std::string value = flag->CurrentValue();
    if (value.empty()) continue;
    if (value.find_first_of(" \t\r\n") != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrFormat("--%s: '%s' has a space in it", key.name, value));
    }
    dbcache::StrAppend(&message, " ", key.name, "=", value);
  }
  absl::StatusOr<run::ControlCommand> command =
      run::ParseControlMessage(message);
  if (!command.ok()) {
    // "queries=0 is out of range ...": name it as the flag it came from.
    return absl::InvalidArgumentError(
        dbcache::StrCat("--", command.status().message()));
  }
  return command->run;
}

int RunRun(const config::Settings& settings) {
  absl::StatusOr<run::RunParams> params = RunParamsFromFlags();
  if (!params.ok()) return Fail(2, AsStd(params.status().message()));
  ctl::RunOptions options;
  options.params = *std::move(params);
  options.wait = absl::GetFlag(FLAGS_wait);
  return ctl::RunCommand(settings, options);
}

// --ttl-ms and --dist of a sweep: lists, each item checked as the run key.
int RunSweep(const config::Settings& settings) {
  if (absl::GetFlag(FLAGS_csv) && absl::GetFlag(FLAGS_json)) {
    return Fail(2, "sweep: --csv and --json: pick one");
  }
  if (!absl::GetFlag(FLAGS_id).empty() || !absl::GetFlag(FLAGS_cache).empty()) {
    return Fail(2,
                "sweep: --id and --cache are the sweep's own (each cell "
                "caches; the baseline does not)");
  }
  absl::StatusOr<run::RunParams> base =
      RunParamsFromFlags({"ttl_ms", "dist", "id", "cache"});
  if (!base.ok()) return Fail(2, AsStd(base.status().message()));
  ctl::SweepOptions options;
  options.base = *std::move(base);
  const std::string ttls = absl::GetFlag(FLAGS_ttl_ms);
  if (ttls.empty()) {
    return Fail(2,
                "sweep: --ttl-ms is required: the TTLs to try, as in "
                "--ttl-ms 100,1000,10000");
  }
  for (absl::string_view item : absl::StrSplit(ttls, ',')) {
    absl::StatusOr<run::ControlCommand> one = run::ParseControlMessage(
        dbcache::StrCat("run ttl_ms=", std::string(item)));
    if (!one.ok()) {
      return Fail(2, dbcache::StrCat("--", one.status().message()));
    }
    options.ttls_ms.push_back(one->run.ttl_ms);
  }
  const std::string dists = absl::GetFlag(FLAGS_dist);
  if (!dists.empty()) {
    for (absl::string_view item : absl::StrSplit(dists, ',')) {
      absl::StatusOr<run::ControlCommand> one = run::ParseControlMessage(
          dbcache::StrCat("run dist=", std::string(item)));
      if (!one.ok()) {
        return Fail(2, dbcache::StrCat("--", one.status().message()));
      }
      options.dists.push_back(run::KeyDistributionName(*one->run.dist));
    }
  }
  constexpr size_t kMaxCells = 100;
  if (options.ttls_ms.size() * std::max<size_t>(1, options.dists.size()) >
      kMaxCells) {
    return Fail(2, absl::StrFormat("sweep: at most %d cells (TTLs x "
                                   "distributions)",
                                   kMaxCells));
  }
  options.format = absl::GetFlag(FLAGS_csv) ? ctl::SweepOptions::Format::kCsv
                   : absl::GetFlag(FLAGS_json)
                       ? ctl::SweepOptions::Format::kJson
                       : ctl::SweepOptions::Format::kTable;
  const ctl::CancelOnInterrupt interrupt(settings);
  return ctl::SweepCommand(settings, options, interrupt.interrupted_flag());
}

int RunCompare(const config::Settings& settings) {
  if (absl::GetFlag(FLAGS_csv)) return Fail(2, "compare: no --csv (--json)");
  if (!absl::GetFlag(FLAGS_cache).empty()) {
    return Fail(2,
                "compare: --cache is the compare's own (cache=off, then "
                "cache=on)");
  }
  absl::StatusOr<run::RunParams> params = RunParamsFromFlags({"cache"});
  if (!params.ok()) return Fail(2, AsStd(params.status().message()));
  const ctl::CancelOnInterrupt interrupt(settings);
  ctl::FollowedRun compare =
      ctl::PublishCompareAndFollow(settings, *std::move(params));
  if (!compare.summary.is_object()) return compare.exit_code;
  if (absl::GetFlag(FLAGS_json)) {
    absl::PrintF("%s\n", compare.summary.dump(2));
  } else {
    absl::PrintF("%s", ctl::FormatCompareTable(compare.summary));
  }
  return compare.exit_code;
}

// Reads the workload file as dbcached would, so that a mistake shows before
// a daemon is restarted with it.
int RunWorkloads(const config::Settings& settings) {
  absl::StatusOr<run::ConfiguredWorkloads> workloads =
      run::LoadConfiguredWorkloads(settings.workloads_path,
                                   settings.sql_template);
  if (!workloads.ok()) return Fail(1, AsStd(workloads.status().message()));
  absl::PrintF("%s\n", workloads->path.empty()
                           ? std::string("no workload file: the demo only")
                           : dbcache::StrCat("from ", workloads->path));
  for (const run::WorkloadSpec& w : workloads->catalog.workloads()) {
    absl::PrintF("\n%s: %s\n", w.name, w.description);
    for (const run::StatementSpec& s : w.statements) {
      std::string params;
      for (const run::ParamSpec& p : s.params) {
        std::string source;
        switch (p.source) {
          case run::ParamSpec::Source::kRange:
            source = dbcache::StrCat(p.lo, "..", p.hi);
            break;
          case run::ParamSpec::Source::kLimitMax:
            source = "1..limit_max";
            break;
          case run::ParamSpec::Source::kSample:
            source = dbcache::StrCat("sample: ", p.sample_sql);
            break;
        }
        dbcache::StrAppend(&params, "\n      {", p.name, "} ", source, ", ",
                           p.dist.has_value()
                               ? run::KeyDistributionName(*p.dist)
                               : std::string("uniform"));
      }
      absl::PrintF("  %s (weight %d): %s%s\n", s.name, s.weight, s.sql, params);
    }
  }
  return 0;
}

int RunVerify(const config::Settings& settings) {
  absl::StatusOr<ctl::MysqlSession> session = Connect(settings, 0);
  if (!session.ok()) return Fail(1, AsStd(session.status().message()));
  absl::StatusOr<ctl::TableReport> report =
      ctl::Inspect(*session, settings.mysql_database);
  if (!report.ok()) return Fail(1, AsStd(report.status().message()));
  absl::PrintF(
      "count=%d rows=%s seed=%s generator=%s data_checksum=%s "
      "table_checksum=%s\n",
      report->count, report->rows ? absl::StrFormat("%d", *report->rows) : "-",
      report->seed ? absl::StrFormat("%d", *report->seed) : "-",
      report->generator_version
          ? absl::StrFormat("%d", *report->generator_version)
          : "-",
      report->data_checksum.empty() ? "-" : report->data_checksum,
      report->table_checksum);
  if (!report->rows.has_value()) {
    return Fail(1, absl::StrFormat("%s.reviews has no seed metadata: run "
                                   "'dbcachectl seed'",
                                   settings.mysql_database));
  }
  if (*report->rows != report->count) {
    return Fail(1, absl::StrFormat(
                       "%s.reviews has %d rows but was seeded with %d: "
                       "run 'dbcachectl seed' again",
                       settings.mysql_database, report->count, *report->rows));
  }
  return 0;
}

int Main(int argc, char** argv) {
  static const std::string* extra_help =
      new std::string(dbcache::StrCat(RunFlagsHelp(), kExtraHelpTail));
  const config::ProgramInfo info{kProgram, Synopsis(),
                                 config::kGroupMysql | config::kGroupRedis |
                                     config::kGroupRun | config::kGroupCommon,
                                 *extra_help};
  std::vector<std::string> args = config::ParseCommandLine(argc, argv, info);
  if (args.size() < 2) {
    absl::FPrintF(stderr, "%s\n\nRun 'dbcachectl --help' for the flags.\n",
                  Synopsis());
    return 2;
  }
  const Subcommand* command = nullptr;
  for (const Subcommand& candidate : kSubcommands) {
    if (candidate.name == args[1]) command = &candidate;
  }
  if (command == nullptr) {
    return Fail(
        2, absl::StrFormat("unknown command '%s' (commands: %s; see --help)",
                           args[1], CommandNames()));
  }
  if (args.size() > 2) {
    return Fail(2, absl::StrFormat("%s: unexpected argument '%s' (see --help)",
                                   command->name, args[2]));
  }
  const config::Settings settings = config::ResolveOrExit(info);
  // A server that closes its socket must give us an error, not kill the
  // process.
  signal(SIGPIPE, SIG_IGN);
  return command->run(settings);
}

}  // namespace
}  // namespace dbcache

int main(int argc, char** argv) { return dbcache::Main(argc, argv); }
