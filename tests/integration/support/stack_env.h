#ifndef DBCACHE_TESTS_INTEGRATION_SUPPORT_STACK_ENV_H_
#define DBCACHE_TESTS_INTEGRATION_SUPPORT_STACK_ENV_H_

#include <string>
#include <vector>

#include "tests/integration/support/child_process.h"

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

// `dbcachectl seed --rows=20000` against the stack, once per process: 20,000
// rows are enough for LIMIT up to 75 and fast to load, and seeding is a no-op
// when the table already holds them. After a success, later calls return
// exit code 0 at once; after a failure, the next call tries again. Call it
// from SetUp() and assert on the result there rather than in
// SetUpTestSuite(), where a failure would only mark the tests skipped.
//
//   RunResult seed = SeedOnce(stack_);
//   ASSERT_EQ(seed.exit_code, 0) << seed.output;
RunResult SeedOnce(const StackEnv& stack);

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_INTEGRATION_SUPPORT_STACK_ENV_H_
