#ifndef DBCACHE_TESTS_UNIT_FAKES_FAKE_MYSQL_EXECUTOR_H_
#define DBCACHE_TESTS_UNIT_FAKES_FAKE_MYSQL_EXECUTOR_H_

#include <deque>
#include <string>
#include <vector>

#include "daemon/cache/result_set.h"
#include "daemon/loop/scheduler.h"
#include "daemon/mysql/mysql_executor.h"
#include "daemon/mysql/mysql_result.h"

namespace dbcache::testing {

// A QueryResult over an in-memory ResultSet.
class FakeQueryResult : public mysql::QueryResult {
 public:
  explicit FakeQueryResult(const cache::ResultSet& rows) : rows_(rows) {}
  uint64_t row_count() const override { return rows_.rows.size(); }
  uint32_t column_count() const override {
    return static_cast<uint32_t>(rows_.columns.size());
  }
  void EncodeTo(cache::ResultSetWriter& writer) const override {
    writer.Begin(column_count());
    for (const std::string& c : rows_.columns) writer.AddColumnName(c);
    writer.BeginRows(row_count());
    for (const auto& row : rows_.rows) {
      for (const auto& cell : row) {
        if (cell.has_value()) {
          writer.AddCell(*cell);
        } else {
          writer.AddNull();
        }
      }
    }
    writer.Finish();
  }

 private:
  const cache::ResultSet& rows_;
};

// A scripted MySQL: statements queue until the test answers them. Succeed
// answers with a result whose rows depend on the SQL (one row holding the SQL
// text), so a test can check what was cached for which statement. With a
// clock, a statement's exec time is the time from Execute to its answer.
//
//   FakeMysqlExecutor db(&clock);
//   db.SucceedAll();
class FakeMysqlExecutor : public mysql::MysqlExecutor {
 public:
  struct Call {
    std::string sql;
    mysql::QueryCallback callback;
    int64_t sent_ns = 0;
  };

  explicit FakeMysqlExecutor(const loop::Scheduler* clock = nullptr)
      : clock_(clock) {}

  void Execute(std::string_view sql, mysql::QueryCallback callback) override {
    history_.emplace_back(sql);
    pending_.push_back(Call{std::string(sql), std::move(callback), Now()});
  }

  size_t pending() const { return pending_.size(); }
  const std::vector<std::string>& history() const { return history_; }

  static cache::ResultSet RowsFor(const std::string& sql) {
    return cache::ResultSet{{"customer_id", "review_id"},
                            {{std::string("1"), sql}, {std::nullopt, ""}}};
  }

  bool SucceedOne() {
    if (pending_.empty()) return false;
    Call call = TakeFront();
    const cache::ResultSet rows = RowsFor(call.sql);
    const FakeQueryResult result(rows);
    call.callback(absl::OkStatus(), &result, TimingOf(call));
    return true;
  }
  void SucceedAll() {
    while (SucceedOne()) {
    }
  }
  // Answers the oldest statement with `rows`.
  void AnswerOne(const cache::ResultSet& rows) {
    Call call = TakeFront();
    const FakeQueryResult result(rows);
    call.callback(absl::OkStatus(), &result, TimingOf(call));
  }
  // Answers the oldest statement as a write that changed `affected` rows.
  void AnswerNoResultSet(uint64_t affected) {
    Call call = TakeFront();
    const mysql::NoResultSet result(affected);
    call.callback(absl::OkStatus(), &result, TimingOf(call));
  }
  const std::string& front_sql() const { return pending_.front().sql; }
  void FailOne(absl::Status status) {
    Call call = TakeFront();
    call.callback(status, nullptr, TimingOf(call));
  }

 private:
  Call TakeFront() {
    Call call = std::move(pending_.front());
    pending_.pop_front();
    return call;
  }

  int64_t Now() const { return clock_ == nullptr ? 0 : clock_->NowNanos(); }
  mysql::QueryTiming TimingOf(const Call& call) const {
    mysql::QueryTiming timing;
    timing.exec_ns = Now() - call.sent_ns;
    return timing;
  }

  const loop::Scheduler* clock_;
  std::deque<Call> pending_;
  std::vector<std::string> history_;
};

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_UNIT_FAKES_FAKE_MYSQL_EXECUTOR_H_
