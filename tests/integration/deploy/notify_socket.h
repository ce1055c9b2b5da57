#ifndef DBCACHE_TESTS_INTEGRATION_DEPLOY_NOTIFY_SOCKET_H_
#define DBCACHE_TESTS_INTEGRATION_DEPLOY_NOTIFY_SOCKET_H_

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"

namespace dbcache::testing {

// Plays systemd's side of sd_notify(3) for a test: a unix datagram socket that
// a program finds through NOTIFY_SOCKET, and a thread that records every line
// ("READY=1", "STATUS=idle", "WATCHDOG=1", ...) with the time it arrived.
//
//   NotifySocket notify;
//   ChildProcess daemon({bin + "/dbcached"}, {notify.EnvLine()});
//   std::optional<NotifySocket::Message> ready =
//       notify.WaitFor("READY=1", absl::Seconds(15));
class NotifySocket {
 public:
  struct Message {
    absl::Time at;
    std::string text;  // One NAME=VALUE assignment.
  };

  NotifySocket();
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  // "NOTIFY_SOCKET=<path>", for ChildProcess's environment.
  std::string EnvLine() const { return "NOTIFY_SOCKET=" + path_; }

  // Everything received so far, oldest first.
  std::vector<Message> Messages() const;
  // The first message received at or after `since` for which `match` holds.
  std::optional<Message> WaitFor(
      const std::function<bool(const std::string&)>& match,
      absl::Duration timeout, absl::Time since = absl::InfinitePast()) const;
  // The same, for an exact line such as "READY=1".
  std::optional<Message> WaitFor(const std::string& exact,
                                 absl::Duration timeout,
                                 absl::Time since = absl::InfinitePast()) const;
  // How many messages equal to `exact` arrived in [from, to).
  int Count(const std::string& exact, absl::Time from, absl::Time to) const;
  // All messages, one per line with the time since the first, for failure
  // output.
  std::string Dump() const;

 private:
  void ReadLoop();

  int fd_ = -1;
  std::string path_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<Message> messages_;  // Guarded by mutex_.
  std::thread reader_;
};

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_INTEGRATION_DEPLOY_NOTIFY_SOCKET_H_
