#include "web/host_check.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::web {
namespace {

TEST(HostAllowedTest, AddressesAndLocalhostNeedNoList) {
  for (const char* host :
       {"127.0.0.1", "127.0.0.1:8080", "10.1.2.3:80", "[::1]:8080", "[::1]",
        "[2001:db8::7]:443", "localhost", "LOCALHOST:8080", "app.localhost",
        "localhost.", ""}) {
    EXPECT_TRUE(HostAllowed(host, {})) << host;
  }
}

// The names a rebinding page would send: its own.
TEST(HostAllowedTest, OtherNamesAreRefusedUnlessListed) {
  for (const char* host : {"evil.example", "evil.example:8080",
                           "127.0.0.1.evil.example", "localhost.evil.example",
                           "[not-an-address]:80", "[::1", ":8080", "1.2.3"}) {
    EXPECT_FALSE(HostAllowed(host, {})) << host;
  }
  const std::vector<std::string> allowed =
      ParseAllowedHosts(" Dbcache.Internal , .corp.example,, ");
  EXPECT_THAT(allowed,
              ::testing::ElementsAre("dbcache.internal", ".corp.example"));
  EXPECT_TRUE(HostAllowed("dbcache.internal:8080", allowed));
  EXPECT_TRUE(HostAllowed("DBCACHE.INTERNAL.", allowed));
  EXPECT_TRUE(HostAllowed("web.corp.example", allowed));
  EXPECT_FALSE(HostAllowed("corp.example.evil", allowed));
  EXPECT_FALSE(HostAllowed("xcorp.example", allowed));
  EXPECT_FALSE(HostAllowed("evil.example", allowed));
  EXPECT_TRUE(HostAllowed("anything.at.all", ParseAllowedHosts("*")));
}

}  // namespace
}  // namespace dbcache::web
