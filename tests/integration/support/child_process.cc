#include "tests/integration/support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/time/clock.h"

extern char** environ;

namespace dbcache::testing {
namespace {

std::vector<std::string> MergedEnvironment(
    const std::vector<std::string>& extra) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    vars[entry.substr(0, entry.find('='))] = entry;
  }
  for (const std::string& entry : extra) {
    vars[entry.substr(0, entry.find('='))] = entry;
  }
  std::vector<std::string> out;
  for (auto& [name, entry] : vars) out.push_back(entry);
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv,
                           std::vector<std::string> env) {
  static int counter = 0;
  output_path_ = "/tmp/dbcache-test-" + std::to_string(getpid()) + "-" +
                 std::to_string(++counter) + ".log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO,
                                   output_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                   O_RDONLY, 0);
  std::vector<std::string> merged = MergedEnvironment(env);
  std::vector<char*> argv_ptrs = Pointers(argv);
  std::vector<char*> env_ptrs = Pointers(merged);
  if (posix_spawn(&pid_, argv_ptrs[0], &actions, nullptr, argv_ptrs.data(),
                  env_ptrs.data()) != 0) {
    pid_ = -1;
    exit_code_ = 127;
  }
  posix_spawn_file_actions_destroy(&actions);
}

ChildProcess::~ChildProcess() {
  if (running()) {
    Signal(SIGKILL);
    WaitForExit(absl::Seconds(5));
  }
  unlink(output_path_.c_str());
}

bool ChildProcess::running() {
  if (exit_code_.has_value() || pid_ <= 0) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ =
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

void ChildProcess::Signal(int signal_number) {
  if (running()) kill(pid_, signal_number);
}

std::optional<int> ChildProcess::WaitForExit(absl::Duration timeout) {
  WaitFor([this] { return !running(); }, timeout);
  return exit_code_;
}

std::string ChildProcess::Output() const {
  std::ifstream in(output_path_);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

RunResult RunProgram(std::vector<std::string> argv,
                     std::vector<std::string> env, absl::Duration timeout) {
  ChildProcess child(std::move(argv), std::move(env));
  RunResult result;
  std::optional<int> code = child.WaitForExit(timeout);
  result.exit_code = code.value_or(-1);
  result.output = child.Output();
  return result;
}

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (condition()) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
}

}  // namespace dbcache::testing
