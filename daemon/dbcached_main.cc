// dbcached: the cache-aside query daemon. See README.md and --help.
#include <signal.h>

#include "daemon/app/daemon.h"
#include "daemon/config/command_line.h"

namespace {

constexpr char kSynopsis[] =
    "usage: dbcached [flags]\n"
    "\n"
    "Runs cache-aside query runs against MySQL with Redis in front, triggered "
    "over\n"
    "Redis pub/sub: PUBLISH <prefix>control \"run queries=1000 "
    "concurrency=8\".\n"
    "Control messages: run [queries= concurrency= ttl_ms= limit_max= seed= "
    "id=\n"
    "cache=on|off], cancel, flush, reset, ping (plain text or JSON such as\n"
    "{\"cmd\":\"run\",\"queries\":1000}). Stats go to <prefix>stats, events "
    "to\n"
    "<prefix>events, the heartbeat to <prefix>daemon.";

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
  // A peer that closes its socket must give us an error, not kill the process.
  signal(SIGPIPE, SIG_IGN);
  dbcache::app::Daemon daemon(std::move(settings));
  return daemon.Run();
}
