#include "daemon/mysql/tls.h"

#include <errmsg.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dbcache::mysql {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

TEST(TlsModeTest, NamesRoundTripAndOnlyTheseParse) {
  for (const auto& [name, mode] : kTlsModes) {
    EXPECT_EQ(ParseTlsMode(name), mode);
    EXPECT_EQ(TlsModeName(mode), name);
  }
  // MySQL's own spelling, as env files often have it.
  EXPECT_EQ(ParseTlsMode("REQUIRED"), TlsMode::kRequired);
  EXPECT_EQ(ParseTlsMode("Verify_Identity"), TlsMode::kVerifyIdentity);
  EXPECT_EQ(ParseTlsMode(""), std::nullopt);
  EXPECT_EQ(ParseTlsMode("requiredx"), std::nullopt);
  EXPECT_EQ(ParseTlsMode("on"), std::nullopt);
  EXPECT_FALSE(TlsRequired(TlsMode::kDisabled));
  EXPECT_FALSE(TlsRequired(TlsMode::kPreferred));
  EXPECT_TRUE(TlsRequired(TlsMode::kRequired));
  EXPECT_TRUE(TlsRequired(TlsMode::kVerifyCa));
  EXPECT_TRUE(TlsRequired(TlsMode::kVerifyIdentity));
}

TEST(TlsHintTest, ATlsErrorNamesTheSettingsToCheck) {
  const TlsOptions identity{TlsMode::kVerifyIdentity, "/etc/ca.pem"};
  const std::string hint = TlsHint(identity, CR_SSL_CONNECTION_ERROR, "db.x");
  EXPECT_THAT(hint, HasSubstr("--mysql_ssl_mode=verify_identity"));
  EXPECT_THAT(hint, HasSubstr("--mysql_ssl_ca=/etc/ca.pem"));
  EXPECT_THAT(hint, HasSubstr("--mysql_host=db.x"));
  const std::string ca =
      TlsHint({TlsMode::kVerifyCa, "/ca.pem"}, CR_SSL_CONNECTION_ERROR, "db.x");
  EXPECT_THAT(ca, HasSubstr("--mysql_ssl_ca=/ca.pem"));
  EXPECT_THAT(ca, Not(HasSubstr("--mysql_host")));
  EXPECT_THAT(TlsHint({TlsMode::kRequired, ""}, CR_SSL_CONNECTION_ERROR, "h"),
              HasSubstr("--mysql_ssl_mode=required"));
}

TEST(TlsHintTest, AnAccessDeniedWithoutTlsSuggestsTls) {
  // MariaDB refuses a plain login under require_secure_transport as 1045.
  EXPECT_THAT(TlsHint({TlsMode::kDisabled, ""}, 1045, "h"),
              HasSubstr("require_secure_transport"));
  EXPECT_THAT(TlsHint({TlsMode::kDisabled, ""}, 3159, "h"),
              HasSubstr("--mysql_ssl_mode=verify_identity"));
  // With TLS on, an access denied is about the account.
  EXPECT_THAT(TlsHint({TlsMode::kRequired, ""}, 1045, "h"), IsEmpty());
  EXPECT_THAT(TlsHint({TlsMode::kPreferred, ""}, CR_CONN_HOST_ERROR, "h"),
              IsEmpty());
}

}  // namespace
}  // namespace dbcache::mysql
