#ifndef DBCACHE_DAEMON_CTL_DAEMON_COMMANDS_H_
#define DBCACHE_DAEMON_CTL_DAEMON_COMMANDS_H_

#include <string>

#include "absl/time/time.h"
#include "daemon/config/settings.h"
#include "daemon/run/control_command.h"
#include "nlohmann/json.hpp"

namespace dbcache::ctl {

// dbcachectl's exit codes, for scripts.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRunNotFinished =
    1;  // The run failed or was cancelled.
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNoDaemon =
    3;  // Redis unreachable or nobody subscribed.
inline constexpr int kExitRejected = 4;  // The daemon said no (busy, invalid).

struct RunOptions {
  run::RunParams params;
  bool wait = false;
  // How long to wait for the daemon to acknowledge a command.
  absl::Duration ack_timeout = absl::Seconds(10);
};

// A run asked for and followed to its end: the exit code to give, and the
// run's summary when it ended (finished or not).
struct FollowedRun {
  int exit_code = kExitOk;
  nlohmann::json summary;
};

// Publishes a run and follows its events to its end, with a progress bar on
// stderr labelled `label`. Errors are printed.
//
//   FollowedRun r = PublishAndFollow(settings, params, "run r1");
//   if (r.exit_code == kExitOk) Use(r.summary);
FollowedRun PublishAndFollow(const config::Settings& settings,
                             run::RunParams params, const std::string& label,
                             absl::Duration ack_timeout = absl::Seconds(10));
// Publishes a compare (cache=off, then cache=on, of `params` with one seed)
// and follows it to its end, a progress bar per run on stderr. The summary is
// the compare's record (<prefix>compares); exit code 0 when both runs
// finished.
FollowedRun PublishCompareAndFollow(
    const config::Settings& settings, run::RunParams params,
    absl::Duration ack_timeout = absl::Seconds(10));
// A made-up id for a command: c<UTC time>-<4 hex digits>.
std::string NewCommandId();

// The commands that talk to dbcached through Redis. Each prints what happened
// and returns an exit code above.
//
//   RunOptions options;
//   options.params.queries = 1000;
//   options.wait = true;
//   return RunCommand(settings, options);
int RunCommand(const config::Settings& settings, const RunOptions& options);
// Heartbeat and the last run's summary.
int StatusCommand(const config::Settings& settings);
// flush, reset or cancel: publishes and waits for the daemon's answer.
int SimpleCommand(const config::Settings& settings, run::CommandKind kind,
                  absl::Duration ack_timeout, bool print = true);

}  // namespace dbcache::ctl

#endif  // DBCACHE_DAEMON_CTL_DAEMON_COMMANDS_H_
