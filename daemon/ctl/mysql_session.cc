#include "daemon/ctl/mysql_session.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "daemon/common/str_cat.h"
#include "daemon/mysql/tls.h"

namespace dbcache::ctl {
namespace {

// Connector/C takes whole seconds; round up so that a short timeout never
// becomes 0 (which would mean "none").
unsigned TimeoutSeconds(absl::Duration timeout) {
  const int64_t ms = absl::ToInt64Milliseconds(timeout);
  return static_cast<unsigned>(std::max<int64_t>(1, (ms + 999) / 1000));
}

absl::Status StatusFor(unsigned error, std::string message) {
  switch (error) {
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_COLUMNACCESS_DENIED_ERROR:
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
      return absl::PermissionDeniedError(std::move(message));
    default:
      break;
  }
  if (error >= CR_MIN_ERROR && error <= CR_MAX_ERROR) {
    // The client library's own errors: no server, lost connection, timeouts.
    return absl::UnavailableError(std::move(message));
  }
  return absl::UnknownError(std::move(message));
}

// Where LOAD DATA LOCAL's callbacks find the caller's source, and leave its
// error.
struct InfileContext {
  InfileSource* source;
  absl::Status status;
};

int InfileInit(void** ptr, const char* /*filename*/, void* userdata) {
  *ptr = userdata;
  return 0;
}

int InfileRead(void* ptr, char* buffer, unsigned int size) {
  auto* context = static_cast<InfileContext*>(ptr);
  absl::StatusOr<size_t> n = (*context->source)(absl::MakeSpan(buffer, size));
  if (!n.ok()) {
    context->status = n.status();
    return -1;
  }
  return static_cast<int>(*n);
}

void InfileEnd(void* /*ptr*/) {}

int InfileError(void* ptr, char* buffer, unsigned int size) {
  auto* context = static_cast<InfileContext*>(ptr);
  const std::string message(context->status.message());
  if (size > 0) {
    const size_t n = std::min<size_t>(message.size(), size - 1);
    std::memcpy(buffer, message.data(), n);
    buffer[n] = '\0';
  }
  return CR_UNKNOWN_ERROR;
}

// The start of a statement, on one line, to say which one failed.
std::string Context(std::string_view sql) {
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (out.size() >= 60) {
      out.append("...");
      break;
    }
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

absl::StatusOr<MysqlSession> MysqlSession::Connect(
    const MysqlOptions& options) {
  const std::string where =
      dbcache::StrCat("cannot connect to MySQL at ", options.host, ":",
                      options.port, " as user '", options.user, "'");
  mysql::MysqlHandle handle(mysql_init(nullptr));
  if (handle == nullptr) {
    return absl::ResourceExhaustedError(
        dbcache::StrCat(where, ": out of memory"));
  }
  MYSQL* mysql = handle.get();
  const unsigned connect_timeout = TimeoutSeconds(options.connect_timeout);
  const unsigned read_timeout = TimeoutSeconds(options.read_timeout);
  const unsigned write_timeout = TimeoutSeconds(options.write_timeout);
  const unsigned local_infile = options.local_infile ? 1 : 0;
  mysql_optionsv(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_optionsv(mysql, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  mysql_optionsv(mysql, MYSQL_OPT_WRITE_TIMEOUT, &write_timeout);
  mysql_optionsv(mysql, MYSQL_OPT_LOCAL_INFILE, &local_infile);
  mysql_optionsv(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql::ApplyTls(mysql, options.tls);
  if (mysql_real_connect(mysql, options.host.c_str(), options.user.c_str(),
                         options.password.c_str(), /*db=*/nullptr,
                         static_cast<unsigned>(options.port),
                         /*unix_socket=*/nullptr,
                         /*clientflag=*/0) == nullptr) {
    return StatusFor(
        mysql_errno(mysql),
        dbcache::StrCat(
            where, ": ", mysql_error(mysql),
            mysql::TlsHint(options.tls, mysql_errno(mysql), options.host)));
  }
  if (absl::Status tls = mysql::CheckTls(mysql, options.tls); !tls.ok()) {
    return absl::FailedPreconditionError(
        dbcache::StrCat(where, ": ", tls.message()));
  }
  return MysqlSession(std::move(handle));
}

absl::Status MysqlSession::LastError(std::string_view what) {
  last_errno_ = mysql_errno(handle_.get());
  return StatusFor(last_errno_,
                   dbcache::StrCat(what, ": ", mysql_error(handle_.get()),
                                   " (error ", last_errno_, ")"));
}

absl::Status MysqlSession::Execute(std::string_view sql) {
  last_errno_ = 0;
  MYSQL* mysql = handle_.get();
  if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) {
    return LastError(Context(sql));
  }
  // A statement that returns rows must have them read before the next one.
  mysql::ResultHandle result(mysql_store_result(mysql));
  if (result == nullptr && mysql_field_count(mysql) != 0) {
    return LastError(Context(sql));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SqlRow>> MysqlSession::Query(std::string_view sql) {
  last_errno_ = 0;
  MYSQL* mysql = handle_.get();
  if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) {
    return LastError(Context(sql));
  }
  mysql::ResultHandle result(mysql_store_result(mysql));
  std::vector<SqlRow> rows;
  if (result == nullptr) {
    if (mysql_field_count(mysql) != 0) return LastError(Context(sql));
    return rows;  // Not a query: no result set.
  }
  const unsigned fields = mysql_num_fields(result.get());
  rows.reserve(mysql_num_rows(result.get()));
  while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
    const unsigned long* lengths = mysql_fetch_lengths(result.get());
    SqlRow& out = rows.emplace_back(fields);
    for (unsigned i = 0; i < fields; ++i) {
      if (row[i] != nullptr) out[i].emplace(row[i], lengths[i]);
    }
  }
  return rows;
}

absl::StatusOr<std::optional<std::string>> MysqlSession::QueryValue(
    std::string_view sql) {
  absl::StatusOr<std::vector<SqlRow>> rows = Query(sql);
  if (!rows.ok()) return rows.status();
  if (rows->empty() || rows->front().empty()) return std::nullopt;
  return std::move(rows->front().front());
}

absl::Status MysqlSession::SelectDatabase(std::string_view database) {
  last_errno_ = 0;
  const std::string name(database);
  if (mysql_select_db(handle_.get(), name.c_str()) != 0) {
    return LastError(dbcache::StrCat("cannot use database ", name));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> MysqlSession::LoadDataLocal(std::string_view sql,
                                                     InfileSource source) {
  last_errno_ = 0;
  MYSQL* mysql = handle_.get();
  InfileContext context{&source, absl::OkStatus()};
  mysql_set_local_infile_handler(mysql, InfileInit, InfileRead, InfileEnd,
                                 InfileError, &context);
  const int failed = mysql_real_query(mysql, sql.data(), sql.size());
  mysql_set_local_infile_default(mysql);
  if (!context.status.ok()) {
    last_errno_ = mysql_errno(mysql);
    return context.status;
  }
  if (failed != 0) return LastError("LOAD DATA LOCAL INFILE");
  return static_cast<uint64_t>(mysql_affected_rows(mysql));
}

uint64_t MysqlSession::affected_rows() const {
  return static_cast<uint64_t>(mysql_affected_rows(handle_.get()));
}

unsigned MysqlSession::warning_count() const {
  return mysql_warning_count(handle_.get());
}

std::string MysqlSession::Quote(std::string_view value) const {
  std::string out(value.size() * 2 + 3, '\0');
  out[0] = '\'';
  const unsigned long n = mysql_real_escape_string(
      handle_.get(), out.data() + 1, value.data(), value.size());
  out[n + 1] = '\'';
  out.resize(n + 2);
  return out;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  out.push_back('`');
  return out;
}

}  // namespace dbcache::ctl
