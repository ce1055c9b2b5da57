#include "daemon/mysql/async_connection.h"

#include <errmsg.h>

#include <algorithm>
#include <string_view>

#include "absl/strings/ascii.h"
#include "daemon/common/log.h"
#include "daemon/common/str_cat.h"
#include "daemon/mysql/mysql_result.h"
#include "daemon/mysql/tls.h"

namespace dbcache::mysql {
namespace {

// Errors numbered 2000..2999 come from the client library (connection refused,
// lost, timed out): after one of them the connection cannot be trusted and is
// reopened. Server errors (1xxx) leave it usable.
bool IsClientError(unsigned int error) { return error >= 2000 && error < 3000; }

// A read can be sent again safely: it changes nothing. Only SELECT counts; a
// write, a CALL or anything unknown is never retried.
bool IsRetrySafe(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size() &&
         (absl::ascii_isspace(static_cast<unsigned char>(sql[i])) ||
          sql[i] == '(')) {
    ++i;
  }
  constexpr std::string_view kSelect = "select";
  if (sql.size() - i < kSelect.size()) return false;
  for (size_t k = 0; k < kSelect.size(); ++k) {
    if (absl::ascii_tolower(static_cast<unsigned char>(sql[i + k])) !=
        kSelect[k]) {
      return false;
    }
  }
  const size_t after = i + kSelect.size();
  return after == sql.size() ||
         !(absl::ascii_isalnum(static_cast<unsigned char>(sql[after])) ||
           sql[after] == '_');
}

unsigned int CeilSeconds(absl::Duration d) {
  return static_cast<unsigned int>(std::max<int64_t>(
      1, absl::ToInt64Seconds(absl::Ceil(d, absl::Seconds(1)))));
}

}  // namespace

AsyncConnection::AsyncConnection(loop::EventLoop& loop,
                                 loop::Scheduler& scheduler,
                                 const MysqlOptions& options)
    : loop_(loop),
      scheduler_(scheduler),
      options_(options),
      watch_(loop, [this](short what) { OnIo(what); }),
      query_timer_(scheduler.CreateTimer([this] { OnTimeout(); })) {}

AsyncConnection::~AsyncConnection() {
  watch_.Cancel();
  query_timer_->Disable();
  callback_ = nullptr;  // Owners are going away too; nobody to tell.
  Close();
}

void AsyncConnection::Query(std::string_view sql, ConnectionCallback callback) {
  sql_.assign(sql.data(), sql.size());
  callback_ = std::move(callback);
  connect_ns_ = 0;
  retried_ = false;
  query_timer_->Enable(options_.query_timeout);
  // A step can finish inside its *_start call (a refused connect does); the
  // callback must still run from the loop, never inside Query().
  in_query_call_ = true;
  if (connected_) {
    StartQuery();
  } else {
    StartConnect();
  }
  in_query_call_ = false;
}

void AsyncConnection::StartConnect() {
  Close();
  mysql_.reset(mysql_init(nullptr));
  if (mysql_ == nullptr) {
    Fail(absl::ResourceExhaustedError("mysql_init failed: out of memory"));
    return;
  }
  mysql_options(mysql_.get(), MYSQL_OPT_NONBLOCK, nullptr);
  const unsigned int connect_seconds = CeilSeconds(options_.connect_timeout);
  const unsigned int io_seconds = CeilSeconds(options_.query_timeout) + 1;
  mysql_options(mysql_.get(), MYSQL_OPT_CONNECT_TIMEOUT, &connect_seconds);
  mysql_options(mysql_.get(), MYSQL_OPT_READ_TIMEOUT, &io_seconds);
  mysql_options(mysql_.get(), MYSQL_OPT_WRITE_TIMEOUT, &io_seconds);
  // The template is ours, but a server default of latin1 would mangle any UTF-8
  // data the cached rows carry.
  mysql_options(mysql_.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
  ApplyTls(mysql_.get(), options_.tls);
  step_ = Step::kConnect;
  connect_start_ns_ = scheduler_.NowNanos();
  MYSQL* ret = nullptr;
  const int status = mysql_real_connect_start(
      &ret, mysql_.get(), options_.host.c_str(), options_.user.c_str(),
      options_.password.c_str(), options_.database.c_str(),
      static_cast<unsigned int>(options_.port), nullptr, 0);
  if (status != 0) {
    OnStepStatus(status);
  } else {
    OnConnectDone(ret);
  }
}

void AsyncConnection::OnConnectDone(MYSQL* ret) {
  connect_ns_ = scheduler_.NowNanos() - connect_start_ns_;
  if (ret == nullptr) {
    Fail(ErrorStatus("connect"));
    return;
  }
  if (absl::Status tls = CheckTls(mysql_.get(), options_.tls); !tls.ok()) {
    // Closed before the statement: no query goes out in plain text (the login
    // has; see tls.h).
    Fail(absl::FailedPreconditionError(StrCat("MySQL connect failed at ",
                                              options_.host, ":", options_.port,
                                              ": ", tls.message())));
    return;
  }
  connected_ = true;
  ++connects_;
  idle_since_ns_ = scheduler_.NowNanos();
  StartQuery();
}

void AsyncConnection::StartQuery() {
  step_ = Step::kQuery;
  int error = 0;
  const int status =
      mysql_real_query_start(&error, mysql_.get(), sql_.data(), sql_.size());
  if (status != 0) {
    OnStepStatus(status);
  } else {
    OnQueryDone(error);
  }
}

void AsyncConnection::OnQueryDone(int error) {
  if (error != 0) {
    const unsigned int code = mysql_errno(mysql_.get());
    // connect_ns_ == 0: this statement found the connection open, so the
    // server closed it while it sat idle, before this statement ran.
    if ((code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST) && !retried_ &&
        connect_ns_ == 0 && IsRetrySafe(sql_)) {
      retried_ = true;
      ++retries_;
      LogDebug(
          "MySQL %s:%d: connection closed by the server while idle (%s); "
          "reconnecting for the read",
          options_.host, options_.port, mysql_error(mysql_.get()));
      StartConnect();
      return;
    }
    Fail(ErrorStatus("query"));
    return;
  }
  StartStore();
}

void AsyncConnection::StartStore() {
  step_ = Step::kStore;
  MYSQL_RES* result = nullptr;
  const int status = mysql_store_result_start(&result, mysql_.get());
  if (status != 0) {
    OnStepStatus(status);
  } else {
    OnStoreDone(result);
  }
}

void AsyncConnection::OnStoreDone(MYSQL_RES* raw) {
  ResultHandle result(raw);
  if (result == nullptr) {
    if (mysql_field_count(mysql_.get()) != 0 ||
        mysql_errno(mysql_.get()) != 0) {
      Fail(ErrorStatus("reading the result"));
      return;
    }
    // A statement without a result set: a write.
    affected_rows_ = mysql_affected_rows(mysql_.get());
    Succeed(nullptr);
    return;
  }
  Succeed(std::move(result));
}

void AsyncConnection::OnStepStatus(int wait_status) {
  short events = 0;
  if (wait_status & (MYSQL_WAIT_READ | MYSQL_WAIT_EXCEPT)) events |= EV_READ;
  if (wait_status & MYSQL_WAIT_WRITE) events |= EV_WRITE;
  std::optional<absl::Duration> timeout;
  if (wait_status & MYSQL_WAIT_TIMEOUT) {
    timeout = absl::Milliseconds(mysql_get_timeout_value_ms(mysql_.get()));
  }
  watch_.Wait(mysql_get_socket(mysql_.get()), events, timeout);
}

void AsyncConnection::OnIo(short what) {
  int ready = 0;
  if (what & EV_READ) ready |= MYSQL_WAIT_READ;
  if (what & EV_WRITE) ready |= MYSQL_WAIT_WRITE;
  if (what & EV_TIMEOUT) ready |= MYSQL_WAIT_TIMEOUT;
  int status = 0;
  switch (step_) {
    case Step::kConnect: {
      MYSQL* ret = nullptr;
      status = mysql_real_connect_cont(&ret, mysql_.get(), ready);
      if (status == 0) return OnConnectDone(ret);
      break;
    }
    case Step::kQuery: {
      int error = 0;
      status = mysql_real_query_cont(&error, mysql_.get(), ready);
      if (status == 0) return OnQueryDone(error);
      break;
    }
    case Step::kStore: {
      MYSQL_RES* result = nullptr;
      status = mysql_store_result_cont(&result, mysql_.get(), ready);
      if (status == 0) return OnStoreDone(result);
      break;
    }
    case Step::kIdle:
      return;
  }
  OnStepStatus(status);
}

void AsyncConnection::OnTimeout() {
  if (!busy()) return;
  if (step_ == Step::kConnect) {
    connect_ns_ = scheduler_.NowNanos() - connect_start_ns_;
  }
  watch_.Cancel();
  // The statement may still be running on the server; this connection is
  // mid-protocol and cannot be reused, so it is closed and the next query
  // reconnects.
  Close();
  Fail(absl::DeadlineExceededError(
      StrCat("query timed out after ",
             absl::ToInt64Milliseconds(options_.query_timeout), " ms")));
}

absl::Status AsyncConnection::ErrorStatus(std::string_view what) const {
  const unsigned int error = mysql_errno(mysql_.get());
  std::string message = StrCat(
      "MySQL ", what, " failed at ", options_.host, ":", options_.port, " as '",
      options_.user, "': ", mysql_error(mysql_.get()), " (", error, ")",
      step_ == Step::kConnect ? TlsHint(options_.tls, error, options_.host)
                              : std::string());
  if (error == CR_SERVER_GONE_ERROR || error == CR_SERVER_LOST ||
      error == CR_CONNECTION_ERROR || error == CR_CONN_HOST_ERROR) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

void AsyncConnection::Fail(absl::Status status) {
  if (mysql_ != nullptr &&
      (step_ == Step::kConnect || IsClientError(mysql_errno(mysql_.get())) ||
       status.code() == absl::StatusCode::kDeadlineExceeded)) {
    Close();
  }
  step_ = Step::kIdle;
  query_timer_->Disable();
  Deliver(std::move(status), nullptr);
}

void AsyncConnection::Succeed(ResultHandle result) {
  step_ = Step::kIdle;
  query_timer_->Disable();
  Deliver(absl::OkStatus(), std::move(result));
}

void AsyncConnection::Deliver(absl::Status status, ResultHandle result) {
  if (in_query_call_) {
    // busy() stays true until the posted delivery runs, so the pool neither
    // hands this connection out nor retires it in between.
    loop_.Post([this, status = std::move(status),
                result = std::move(result)]() mutable {
      Deliver(std::move(status), std::move(result));
    });
    return;
  }
  ConnectionCallback callback = std::move(callback_);
  callback_ = nullptr;
  idle_since_ns_ = scheduler_.NowNanos();
  if (!callback) return;
  if (result != nullptr) {
    const MysqlResult view(result.get());
    callback(status, &view, connect_ns_);
  } else if (status.ok()) {
    const NoResultSet none(affected_rows_);
    callback(status, &none, connect_ns_);
  } else {
    callback(status, nullptr, connect_ns_);
  }
}

void AsyncConnection::Close() {
  watch_.Cancel();
  connected_ = false;
  mysql_.reset();
}

}  // namespace dbcache::mysql
