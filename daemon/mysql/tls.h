#ifndef DBCACHE_DAEMON_MYSQL_TLS_H_
#define DBCACHE_DAEMON_MYSQL_TLS_H_

#include <mysql.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "daemon/mysql/tls_mode.h"

namespace dbcache::mysql {

// TLS for one Connector/C handle, blocking or not: the options before the
// connect, and after it a check of what was agreed, because Connector/C 3.3
// connects without TLS to a server that offers none even when told to enforce
// it (seen with Debian 12's libmariadb3). Only verify_identity makes it refuse
// such a server before the login; under required and verify_ca the login (the
// user, a scramble of the password, the database) has gone out in plain text
// by the time CheckTls refuses the connection, which then never carries a
// query. Against a peer that can strip TLS, only verify_identity protects the
// login.
//
//   ApplyTls(mysql, tls);
//   if (mysql_real_connect(mysql, ...) == nullptr) {
//     return Error(StrCat(mysql_error(mysql), TlsHint(tls, mysql_errno(mysql),
//                                                     host)));
//   }
//   if (absl::Status s = CheckTls(mysql, tls); !s.ok()) return s;
void ApplyTls(MYSQL* mysql, const TlsOptions& tls);

// OK, or FAILED_PRECONDITION for a connection without TLS under a mode that
// requires it (the caller closes it before sending anything).
absl::Status CheckTls(MYSQL* mysql, const TlsOptions& tls);

// A sentence to append to a connect error that the TLS settings may explain,
// naming the setting to look at; empty when they cannot.
std::string TlsHint(const TlsOptions& tls, unsigned int mysql_errno,
                    std::string_view host);

}  // namespace dbcache::mysql

#endif  // DBCACHE_DAEMON_MYSQL_TLS_H_
