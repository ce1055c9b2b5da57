#include "tests/integration/support/stack_env.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/strings/ascii.h"
#include "tests/integration/support/child_process.h"

namespace dbcache::testing {
namespace {

std::string Env(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

}  // namespace

const StackEnv& StackEnv::Get() {
  static const StackEnv* env = [] {
    auto* e = new StackEnv;
    e->stack_dir = Env("DBCACHE_STACK_DIR", ".stack");
    e->bin_dir = Env("DBCACHE_BIN_DIR", "build/bin");
    e->source_dir = Env("DBCACHE_SOURCE_DIR", ".");
    e->redis_port = std::atoi(Env("DBCACHE_REDIS_PORT", "16379").c_str());
    e->replica_port = std::atoi(Env("DBCACHE_REPLICA_PORT", "16380").c_str());
    e->mysql_port = std::atoi(Env("DBCACHE_MYSQL_PORT", "13306").c_str());
    std::ifstream in(e->stack_dir + "/mysql.password");
    std::getline(in, e->mysql_password);
    absl::StripAsciiWhitespace(&e->mysql_password);
    return e;
  }();
  return *env;
}

std::vector<std::string> StackEnv::ProgramEnv() const {
  return {"REDIS_MASTER_HOST=127.0.0.1",
          "REDIS_MASTER_PORT=" + std::to_string(redis_port),
          "REDIS_READER_HOST=127.0.0.1",
          "REDIS_READER_PORT=" + std::to_string(replica_port),
          "MYSQL_HOST=127.0.0.1", "MYSQL_PORT=" + std::to_string(mysql_port),
          "MYSQL_USER=" + mysql_user, "MYSQL_PASSWORD=" + mysql_password,
          "MYSQL_DATABASE=reviews",
          // No user settings file: what the test sets is all there is.
          "DBCACHE_ENV_FILE="};
}

std::vector<std::string> StackEnv::ScriptEnv() const {
  return {"DBCACHE_STACK_DIR=" + stack_dir,
          "DBCACHE_REDIS_PORT=" + std::to_string(redis_port),
          "DBCACHE_REPLICA_PORT=" + std::to_string(replica_port),
          "DBCACHE_MYSQL_PORT=" + std::to_string(mysql_port)};
}

int StackEnv::ServerPid(const std::string& server) const {
  const std::string file = server == "mariadb"
                               ? stack_dir + "/mariadb/mariadbd.pid"
                               : stack_dir + "/" + server + "/redis.pid";
  std::ifstream in(file);
  int pid = -1;
  in >> pid;
  return in ? pid : -1;
}

bool StackEnv::Restart() const {
  RunResult result =
      RunProgram({source_dir + "/scripts/local-stack.sh", "start"}, ScriptEnv(),
                 absl::Seconds(120));
  if (result.exit_code != 0) {
    fprintf(stderr, "local-stack.sh start failed:\n%s\n",
            result.output.c_str());
  }
  return result.exit_code == 0;
}

int FreeTcpPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

RunResult SeedOnce(const StackEnv& stack) {
  static bool seeded = false;
  if (seeded) return RunResult{.exit_code = 0, .output = ""};
  RunResult seed =
      RunProgram({stack.bin_dir + "/dbcachectl", "seed", "--rows=20000"},
                 stack.ProgramEnv(), absl::Seconds(120));
  seeded = seed.exit_code == 0;
  return seed;
}

}  // namespace dbcache::testing
