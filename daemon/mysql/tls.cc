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
  if (tls.mode == TlsMode::kDisabled) return;  // Connector/C 3.3 asks for none.
  if (tls.mode == TlsMode::kPreferred) {
    // TLS when the server offers it, else plain, and no certificate check.
    mysql_ssl_set(mysql, nullptr, nullptr, nullptr, nullptr, nullptr);
    return;
  }
  const my_bool on = 1;
  mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &on);
  if (tls.mode == TlsMode::kRequired) return;
  // With a CA, Connector/C checks the chain; VERIFY_SERVER_CERT adds the name
  // (a DNS name or an IP address in the certificate).
  mysql_optionsv(mysql, MYSQL_OPT_SSL_CA, tls.ca.c_str());
  if (tls.mode == TlsMode::kVerifyIdentity) {
    mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
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
    return " (with --mysql_ssl_mode=disabled: a server that requires secure "
           "transport, as RDS does with require_secure_transport=ON, refuses "
           "connections without TLS, MariaDB with this very error; try "
           "--mysql_ssl_mode=verify_identity and --mysql_ssl_ca)";
  }
  return "";
}

}  // namespace dbcache::mysql
