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
};

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_INTEGRATION_SUPPORT_STACK_ENV_H_
