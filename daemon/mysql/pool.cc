#include "daemon/mysql/pool.h"

#include <algorithm>
#include <memory>

namespace dbcache::mysql {

Pool::Pool(loop::EventLoop& loop, loop::Scheduler& scheduler,
           MysqlOptions options, int max_size)
    : loop_(loop),
      scheduler_(scheduler),
      options_(std::move(options)),
      max_size_(std::max(1, max_size)) {}

void Pool::SetTargetSize(int size) {
  target_size_ = std::clamp(size, 1, max_size_);
  // Shrink lazily: only idle connections beyond the target are dropped, and
  // they are dropped from the back so the warm ones at the front stay.
  while (static_cast<int>(connections_.size()) > target_size_ &&
         !connections_.back()->busy()) {
    retired_connects_ += connections_.back()->connects();
    connections_.pop_back();
  }
}

int Pool::busy() const {
  return static_cast<int>(std::count_if(
      connections_.begin(), connections_.end(),
      [](const std::unique_ptr<AsyncConnection>& c) { return c->busy(); }));
}

uint64_t Pool::connects() const {
  uint64_t total = retired_connects_;
  for (const auto& c : connections_) total += c->connects();
  return total;
}

void Pool::Warm(int count, absl::AnyInvocable<void()> done) {
  count = std::clamp(count, 1, target_size_);
  while (static_cast<int>(connections_.size()) < count) {
    connections_.push_back(
        std::make_unique<AsyncConnection>(loop_, scheduler_, options_));
  }
  struct Pending {
    int left = 0;
    absl::AnyInvocable<void()> done;
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  for (int i = 0; i < count; ++i) {
    AsyncConnection& c = *connections_[i];
    if (c.connected() || c.busy()) continue;
    ++pending->left;
    // Errors are not reported here: the run's own queries will meet and count
    // them.
    Dispatch(c, "SELECT 1", [pending](const absl::Status&, const QueryResult*) {
      if (--pending->left == 0) pending->done();
    });
  }
  if (pending->left == 0) loop_.Post([pending] { pending->done(); });
}

void Pool::Execute(std::string_view sql, QueryCallback callback) {
  AsyncConnection* idle = nullptr;
  for (const auto& c : connections_) {
    if (!c->busy() &&
        (idle == nullptr || (c->connected() && !idle->connected()))) {
      idle = c.get();
    }
  }
  if (idle == nullptr && static_cast<int>(connections_.size()) < target_size_) {
    connections_.push_back(
        std::make_unique<AsyncConnection>(loop_, scheduler_, options_));
    idle = connections_.back().get();
  }
  if (idle == nullptr) {
    queue_.push_back(Queued{std::string(sql), std::move(callback)});
    return;
  }
  Dispatch(*idle, sql, std::move(callback));
}

void Pool::Dispatch(AsyncConnection& connection, std::string_view sql,
                    QueryCallback callback) {
  connection.Query(
      sql, [this, &connection, callback = std::move(callback)](
               const absl::Status& status, const QueryResult* result) mutable {
        callback(status, result);
        OnConnectionFree(connection);
      });
}

void Pool::OnConnectionFree(AsyncConnection& connection) {
  if (queue_.empty()) return;
  // The next statement starts from the loop, not inside the connection's
  // callback.
  AsyncConnection* target = &connection;
  loop_.Post([this, target] {
    const bool still_ours =
        std::any_of(connections_.begin(), connections_.end(),
                    [target](const auto& c) { return c.get() == target; });
    if (queue_.empty() || !still_ours || target->busy()) return;
    Queued next = std::move(queue_.front());
    queue_.pop_front();
    Dispatch(*target, next.sql, std::move(next.callback));
  });
}

}  // namespace dbcache::mysql
