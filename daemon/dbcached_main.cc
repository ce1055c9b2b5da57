// dbcached: the cache-aside query daemon. See README.md and --help.
#include <signal.h>

#include "daemon/app/daemon.h"
#include "daemon/common/log.h"
#include "daemon/config/command_line.h"
#include "daemon/run/workload/workload_file.h"

namespace {

constexpr char kSynopsis[] =
    "usage: dbcached [flags]\n"
    "\n"
    "Runs cache-aside query runs against MySQL with Redis in front, triggered "
    "over\n"
    "Redis pub/sub: PUBLISH <prefix>control \"run queries=1000 "
    "concurrency=8\".\n"
    "Control messages: run [workload= queries= concurrency= ttl_ms= dist= "
    "keys=\n"
    "seed= id= cache=on|off ...], cancel, flush, reset, ping (plain text or "
    "JSON\n"
    "such as {\"cmd\":\"run\",\"queries\":1000}); `dbcachectl run --help` "
    "lists\n"
    "every key. A run's workload names one of the workload file's "
    "(--workloads).\n"
    "Stats go to <prefix>stats, events to <prefix>events, the heartbeat to\n"
    "<prefix>daemon.";

}  // namespace

int main(int argc, char** argv) {
  const dbcache::config::ProgramInfo info{
      "dbcached", kSynopsis,
      dbcache::config::kGroupRedis | dbcache::config::kGroupMysql |
          dbcache::config::kGroupRun | dbcache::config::kGroupCommon};
  std::vector<std::string> args =
      dbcache::config::ParseCommandLine(argc, argv, info);
  if (args.size() > 1) {
    std::fprintf(stderr, "dbcached: unexpected argument '%s' (try --help)\n",
                 args[1].c_str());
    return 2;
  }
  dbcache::config::Settings settings = dbcache::config::ResolveOrExit(info);
  if (absl::Status ca = dbcache::config::CheckMysqlTlsCa(settings); !ca.ok()) {
    std::fprintf(stderr, "dbcached: %s\n", std::string(ca.message()).c_str());
    return 2;
  }
  // A peer that closes its socket must give us an error, not kill the process.
  signal(SIGPIPE, SIG_IGN);
  absl::StatusOr<dbcache::run::ConfiguredWorkloads> workloads =
      dbcache::run::LoadConfiguredWorkloads(settings.workloads_path,
                                            settings.sql_template);
  if (!workloads.ok()) {
    std::fprintf(stderr, "dbcached: %s\n",
                 std::string(workloads.status().message()).c_str());
    return 2;
  }
  if (workloads->path.empty()) {
    dbcache::LogWarning(
        "no workload file (looked for %s and %s; --workloads names one): "
        "only workload 'demo' is available",
        dbcache::run::kInstalledWorkloadFile,
        dbcache::run::kSourceWorkloadFile);
  } else {
    dbcache::LogInfo("workloads from %s: %s", workloads->path,
                     workloads->catalog.Names());
  }
  dbcache::app::Daemon daemon(std::move(settings),
                              std::move(workloads->catalog));
  return daemon.Run();
}
