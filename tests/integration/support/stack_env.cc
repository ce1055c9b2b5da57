#include "tests/integration/support/stack_env.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/ascii.h"

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
          "MYSQL_HOST=127.0.0.1",
          "MYSQL_PORT=" + std::to_string(mysql_port),
          "MYSQL_USER=" + mysql_user,
          "MYSQL_PASSWORD=" + mysql_password,
          "MYSQL_DATABASE=reviews"};
}

}  // namespace dbcache::testing
