#ifndef DBCACHE_DAEMON_CTL_MYSQL_SESSION_H_
#define DBCACHE_DAEMON_CTL_MYSQL_SESSION_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "daemon/mysql/mysql_handle.h"
#include "daemon/mysql/tls_mode.h"

namespace dbcache::ctl {

struct MysqlOptions {
  std::string host;
  int port = 3306;
  std::string user;
  std::string password;
  absl::Duration connect_timeout = absl::Seconds(5);
  // Per network read/write; a statement whose server-side work takes longer (an
  // index build, the end of a bulk load) fails with "Lost connection".
  absl::Duration read_timeout = absl::Seconds(30);
  absl::Duration write_timeout = absl::Seconds(30);
  // Let the server ask for LOAD DATA LOCAL INFILE data (see LoadDataLocal).
  bool local_infile = false;
  mysql::TlsOptions tls;
};

// One row of a result; NULL is nullopt.
using SqlRow = std::vector<std::optional<std::string>>;

// Writes up to buffer.size() bytes of LOAD DATA LOCAL content into `buffer` and
// returns how many; 0 at the end of the data.
using InfileSource =
    std::function<absl::StatusOr<size_t>(absl::Span<char> buffer)>;

// A blocking MariaDB/MySQL connection for command-line tools (the daemon uses
// the non-blocking client). Every error is a Status whose message carries the
// server's (or the client library's) text; errno() keeps its number.
//
//   absl::StatusOr<MysqlSession> session = MysqlSession::Connect(options);
//   if (!session.ok()) return session.status();  // "cannot connect to MySQL at
//   ..." absl::StatusOr<std::optional<std::string>> count =
//       session->QueryValue("SELECT COUNT(*) FROM reviews");
class MysqlSession {
 public:
  // Errors name the endpoint and user: "cannot connect to MySQL at
  // 127.0.0.1:3306 as user 'dbcache': Access denied for user ...". Access
  // denied is PermissionDenied; an unreachable server is Unavailable.
  static absl::StatusOr<MysqlSession> Connect(const MysqlOptions& options);

  MysqlSession(MysqlSession&&) = default;
  MysqlSession& operator=(MysqlSession&&) = default;

  // Runs a statement and discards any result.
  absl::Status Execute(std::string_view sql);
  // Runs a query and returns all its rows.
  absl::StatusOr<std::vector<SqlRow>> Query(std::string_view sql);
  // The first column of the first row; nullopt when there is no row or it is
  // NULL.
  absl::StatusOr<std::optional<std::string>> QueryValue(std::string_view sql);
  absl::Status SelectDatabase(std::string_view database);

  // Runs a LOAD DATA LOCAL INFILE statement (the file name in it is ignored)
  // whose content comes from `source`; returns the number of rows loaded. Needs
  // MysqlOptions::local_infile and a server with local_infile on.
  absl::StatusOr<uint64_t> LoadDataLocal(std::string_view sql,
                                         InfileSource source);

  // Rows changed by the last statement, and the warnings it raised.
  uint64_t affected_rows() const;
  unsigned warning_count() const;
  // The MySQL error number of the last failure, 0 if the last call succeeded.
  unsigned errno_value() const { return last_errno_; }

  // `value` as a quoted SQL string literal, escaped for this connection.
  std::string Quote(std::string_view value) const;

 private:
  explicit MysqlSession(mysql::MysqlHandle handle)
      : handle_(std::move(handle)) {}

  // The last error as a Status whose message starts with `what`.
  absl::Status LastError(std::string_view what);

  mysql::MysqlHandle handle_;
  unsigned last_errno_ = 0;
};

// `name` as a quoted SQL identifier: `name`, backticks doubled.
std::string QuoteIdentifier(std::string_view name);

}  // namespace dbcache::ctl

#endif  // DBCACHE_DAEMON_CTL_MYSQL_SESSION_H_
