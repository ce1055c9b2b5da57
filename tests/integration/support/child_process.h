#ifndef DBCACHE_TESTS_INTEGRATION_SUPPORT_CHILD_PROCESS_H_
#define DBCACHE_TESTS_INTEGRATION_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace dbcache::testing {

// A program started by a test, its stdout+stderr captured to a file, killed at
// destruction if still running. Waits poll with a deadline, never
// sleep-and-hope.
//
//   ChildProcess daemon({bin + "/dbcached", "--prefix=t:"},
//   {"MYSQL_PORT=23306"}); ASSERT_TRUE(daemon.running());
//   daemon.Signal(SIGTERM);
//   std::optional<int> code = daemon.WaitForExit(absl::Seconds(5));
class ChildProcess {
 public:
  // `env` entries NAME=VALUE are added to (and override) the test's
  // environment.
  ChildProcess(std::vector<std::string> argv,
               std::vector<std::string> env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void Signal(int signal_number);
  // The exit code, or 128 + signal; nullopt if still running at the deadline.
  std::optional<int> WaitForExit(absl::Duration timeout);
  // Everything the program printed so far.
  std::string Output() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string output_path_;
};

// Runs a program to completion; returns {exit code, output}.
struct RunResult {
  int exit_code = -1;
  std::string output;
};
RunResult RunProgram(std::vector<std::string> argv,
                     std::vector<std::string> env = {},
                     absl::Duration timeout = absl::Seconds(120));

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout);

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_INTEGRATION_SUPPORT_CHILD_PROCESS_H_
