#ifndef DBCACHE_TESTS_INTEGRATION_SUPPORT_STACK_ENV_H_
#define DBCACHE_TESTS_INTEGRATION_SUPPORT_STACK_ENV_H_

#include <string>
#include <vector>

namespace dbcache::testing {

// The local stack the `local_stack` ctest fixture started, as its environment
// describes it (tests/CMakeLists.txt sets DBCACHE_* for integration tests).
//
//   const StackEnv& stack = StackEnv::Get();
//   ChildProcess daemon({stack.bin_dir + "/dbcached"}, stack.ProgramEnv());
struct StackEnv {
  std::string stack_dir;
  std::string bin_dir;
  std::string source_dir;
  int redis_port = 0;
  int replica_port = 0;
  int mysql_port = 0;
  std::string mysql_user = "dbcache";
  std::string mysql_password;

  static const StackEnv& Get();
  // NAME=VALUE lines pointing dbcache's programs at the stack.
  std::vector<std::string> ProgramEnv() const;
  // NAME=VALUE lines that make scripts/local-stack.sh act on this stack.
  std::vector<std::string> ScriptEnv() const;
  // The PID a server of the stack runs as ("redis-primary", "redis-replica",
  // "mariadb"), from its pid file; -1 if unknown.
  int ServerPid(const std::string& server) const;
  // `local-stack.sh start`: restarts whatever is not running, waits until
  // ready.
  bool Restart() const;
};

// A loopback TCP port that was free a moment ago.
int FreeTcpPort();

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_INTEGRATION_SUPPORT_STACK_ENV_H_
