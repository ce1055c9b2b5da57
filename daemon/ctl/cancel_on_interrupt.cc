#include "daemon/ctl/cancel_on_interrupt.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_format.h"
#include "daemon/redis/sync_client.h"
#include "daemon/run/control_command.h"

namespace dbcache::ctl {
namespace {

// SIGUSR1 only ever comes from the destructor: it ends the watch.
sigset_t WatchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  return set;
}

}  // namespace

CancelOnInterrupt::CancelOnInterrupt(const config::Settings& settings)
    : settings_(settings) {
  // Blocked in every thread (the watcher inherits the mask), taken by sigwait.
  const sigset_t set = WatchedSignals();
  pthread_sigmask(SIG_BLOCK, &set, &previous_mask_);
  thread_ = std::thread([this] { Watch(); });
}

CancelOnInterrupt::~CancelOnInterrupt() {
  pthread_kill(thread_.native_handle(), SIGUSR1);
  thread_.join();
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void CancelOnInterrupt::Watch() {
  const sigset_t set = WatchedSignals();
  while (true) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0 || signal == SIGUSR1) return;
    if (interrupted_.exchange(true)) {
      // A second one: the operator does not want to wait.
      absl::FPrintF(stderr, "dbcachectl: interrupted again: quitting\n");
      std::_Exit(130);
    }
    absl::FPrintF(stderr,
                  "\ndbcachectl: interrupted: cancelling the run that is "
                  "going\n");
    absl::StatusOr<redis::SyncClient> client = redis::SyncClient::Connect(
        {settings_.redis_primary.host, settings_.redis_primary.port,
         settings_.redis_username, settings_.redis_password,
         settings_.connect_timeout});
    if (!client.ok()) continue;
    run::ControlCommand cancel;
    cancel.kind = run::CommandKind::kCancel;
    (void)client->Command({"PUBLISH", settings_.Key("control"),
                           run::ControlCommandToJson(cancel)});
  }
}

}  // namespace dbcache::ctl
