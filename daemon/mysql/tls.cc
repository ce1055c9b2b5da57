#include "daemon/mysql/tls.h"

#include <errmsg.h>

#include "daemon/common/str_cat.h"

namespace dbcache::mysql {
namespace {

// The server's refusals of a connection without TLS: MySQL's
// ER_SECURE_TRANSPORT_REQUIRED, and MariaDB's, which is "Access denied".
constexpr unsigned int kAccessDenied = 1045;
constexpr unsigned int kSecureTransportRequired = 3159;

}  // namespace

void ApplyTls(MYSQL* mysql, const TlsOptions& tls) {
  // Every option is set for every mode, so that a Connector/C with other
  // defaults (3.4 verifies certificates unless told not to) does what the mode
  // says. ENFORCE asks for TLS; 3.3 falls back to plain text when the server
  // offers none unless VERIFY_SERVER_CERT is set too (seen here, and every
  // integration test runs `preferred` against the stack's plain MariaDB), which
  // is what `preferred` wants and why CheckTls exists for the others.
  const my_bool enforce = tls.mode != TlsMode::kDisabled;
  const my_bool verify = tls.mode == TlsMode::kVerifyIdentity;
  mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &enforce);
  mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  // With a CA, Connector/C checks the chain; VERIFY_SERVER_CERT adds the name
  // (a DNS name or an IP address in the certificate).
  if (tls.mode >= TlsMode::kVerifyCa) {
    mysql_optionsv(mysql, MYSQL_OPT_SSL_CA, tls.ca.c_str());
  }
}

absl::Status CheckTls(MYSQL* mysql, const TlsOptions& tls) {
  if (!TlsRequired(tls.mode) || mysql_get_ssl_cipher(mysql) != nullptr) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      StrCat("the MySQL server offers no TLS, and --mysql_ssl_mode=",
             TlsModeName(tls.mode),
             " requires it (configure the server's ssl_cert and ssl_key, or "
             "set --mysql_ssl_mode=preferred to allow plain connections)"));
}

std::string TlsHint(const TlsOptions& tls, unsigned int mysql_errno,
                    std::string_view host) {
  if (mysql_errno == CR_SSL_CONNECTION_ERROR) {
    switch (tls.mode) {
      case TlsMode::kVerifyIdentity:
        return StrCat(
            " (TLS with --mysql_ssl_mode=verify_identity: --mysql_ssl_ca=",
            tls.ca,
            " must be a readable PEM bundle that signed the server's "
            "certificate, and the certificate must name --mysql_host=",
            host, ")");
      case TlsMode::kVerifyCa:
        return StrCat(
            " (TLS with --mysql_ssl_mode=verify_ca: --mysql_ssl_ca=", tls.ca,
            " must be a readable PEM bundle that signed the "
            "server's certificate)");
      default:
        return StrCat(" (TLS with --mysql_ssl_mode=", TlsModeName(tls.mode),
                      ")");
    }
  }
  if (tls.mode == TlsMode::kDisabled &&
      (mysql_errno == kAccessDenied ||
       mysql_errno == kSecureTransportRequired)) {
    return " (if the password is right: with --mysql_ssl_mode=disabled, a "
           "server that requires secure transport, as RDS does with "
           "require_secure_transport=ON, refuses the connection, MariaDB with "
           "this very error; try --mysql_ssl_mode=verify_identity and "
           "--mysql_ssl_ca)";
  }
  return "";
}

}  // namespace dbcache::mysql
