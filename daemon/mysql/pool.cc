#include "daemon/mysql/pool.h"

#include <algorithm>
#include <memory>

namespace dbcache::mysql {

Pool::Pool(loop::Scheduler& scheduler, ConnectionFactory factory, int max_size)
    : scheduler_(scheduler),
      factory_(std::move(factory)),
      max_size_(std::max(1, max_size)),
      hand_off_timer_(scheduler.CreateTimer([this] { HandOff(); })),
      warm_timer_(scheduler.CreateTimer([this] { RunWarmDone(); })) {}

void Pool::SetTargetSize(int size) {
  target_size_ = std::clamp(size, 1, max_size_);
  // Room to grow while statements wait: they start on new connections.
  if (!queue_.empty() && static_cast<int>(connections_.size()) < target_size_) {
    hand_off_timer_->Enable(absl::ZeroDuration());
  }
  // Shrink lazily: only idle connections beyond the target are dropped, and
  // they are dropped from the back so the warm ones at the front stay.
  while (static_cast<int>(connections_.size()) > target_size_ &&
         !connections_.back().connection->busy() &&
         !connections_.back().reserved) {
    retired_connects_ += connections_.back().connection->connects();
    connections_.pop_back();
  }
}

int Pool::busy() const {
  return static_cast<int>(
      std::count_if(connections_.begin(), connections_.end(),
                    [](const Entry& e) { return e.connection->busy(); }));
}

int Pool::idle() const {
  return static_cast<int>(std::count_if(
      connections_.begin(), connections_.end(),
      [](const Entry& e) { return !e.connection->busy() && !e.reserved; }));
}

uint64_t Pool::connects() const {
  uint64_t total = retired_connects_;
  for (const Entry& e : connections_) total += e.connection->connects();
  return total;
}

void Pool::Warm(int count, absl::AnyInvocable<void()> done) {
  count = std::clamp(count, 1, target_size_);
  while (static_cast<int>(connections_.size()) < count) {
    connections_.push_back(Entry{factory_(), false});
  }
  struct Pending {
    int left = 0;
    absl::AnyInvocable<void()> done;
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  for (int i = 0; i < count; ++i) {
    Entry& e = connections_[i];
    if (e.connection->busy() || e.reserved) continue;
    // An open connection is probed only when it sat idle long enough for the
    // server to have closed it; the probe's read then reconnects it
    // (AsyncConnection retries a read once), before the run instead of in its
    // first queries.
    if (e.connection->connected() &&
        scheduler_.NowNanos() - e.connection->idle_since_ns() <
            absl::ToInt64Nanoseconds(idle_probe_after_)) {
      continue;
    }
    ++pending->left;
    // Errors are not reported here: the run's own queries will meet and count
    // them.
    Dispatch(
        e, "SELECT 1",
        [pending](const absl::Status&, const QueryResult*, const QueryTiming&) {
          if (--pending->left == 0) pending->done();
        },
        scheduler_.NowNanos());
  }
  if (pending->left == 0) {
    // Nothing to open: `done` still runs from the loop, as the contract says.
    warm_done_.push_back([pending] { pending->done(); });
    warm_timer_->Enable(absl::ZeroDuration());
  }
}

void Pool::RunWarmDone() {
  std::vector<absl::AnyInvocable<void()>> ready = std::move(warm_done_);
  warm_done_.clear();
  for (auto& done : ready) done();
}

Pool::Entry* Pool::FindEntry(const PoolConnection* connection) {
  for (Entry& e : connections_) {
    if (e.connection.get() == connection) return &e;
  }
  return nullptr;
}

Pool::Entry* Pool::FindIdle() {
  Entry* idle = nullptr;
  for (Entry& e : connections_) {
    if (e.connection->busy() || e.reserved) continue;
    // A connected one first: it needs no handshake.
    if (idle == nullptr ||
        (e.connection->connected() && !idle->connection->connected())) {
      idle = &e;
    }
  }
  return idle;
}

void Pool::Execute(std::string_view sql, QueryCallback callback) {
  const int64_t now = scheduler_.NowNanos();
  // Strict FIFO: while anything waits, a new statement waits behind it.
  if (queue_.empty()) {
    Entry* idle = FindIdle();
    if (idle == nullptr &&
        static_cast<int>(connections_.size()) < target_size_) {
      connections_.push_back(Entry{factory_(), false});
      idle = &connections_.back();
    }
    if (idle != nullptr) {
      Dispatch(*idle, sql, std::move(callback), now);
      return;
    }
  }
  queue_.push_back(Queued{std::string(sql), std::move(callback), now});
  // Room to grow (the target rose while statements waited): start them now.
  if (static_cast<int>(connections_.size()) < target_size_ ||
      FindIdle() != nullptr) {
    hand_off_timer_->Enable(absl::ZeroDuration());
  }
}

void Pool::Dispatch(Entry& entry, std::string_view sql, QueryCallback callback,
                    int64_t enqueued_ns) {
  entry.reserved = false;
  PoolConnection* connection = entry.connection.get();
  const int64_t dispatched_ns = scheduler_.NowNanos();
  connection->Query(
      sql,
      [this, connection, callback = std::move(callback), enqueued_ns,
       dispatched_ns](const absl::Status& status, const QueryResult* result,
                      int64_t connect_ns) mutable {
        QueryTiming timing;
        timing.wait_ns = dispatched_ns - enqueued_ns;
        timing.connect_ns = connect_ns;
        timing.connected = connect_ns > 0;
        timing.exec_ns = std::max<int64_t>(
            0, scheduler_.NowNanos() - dispatched_ns - connect_ns);
        // Kept for the queue while the callback runs: a statement it issues
        // queues behind the ones already waiting.
        Entry* entry = FindEntry(connection);
        if (entry != nullptr) entry->reserved = true;
        callback(status, result, timing);
        OnDone(connection);
      });
}

void Pool::OnDone(PoolConnection* connection) {
  Entry* entry = FindEntry(connection);
  if (entry == nullptr) return;
  if (queue_.empty()) {
    entry->reserved = false;
    return;
  }
  // The next statement starts from the loop, not inside the connection's
  // callback (whose result is still alive); the connection stays reserved.
  hand_off_timer_->Enable(absl::ZeroDuration());
}

void Pool::HandOff() {
  while (!queue_.empty()) {
    Entry* target = nullptr;
    // A reserved connection first (it was freed for the queue), then any idle
    // one, then a new one while below the target size.
    for (Entry& e : connections_) {
      if (e.reserved && !e.connection->busy()) {
        target = &e;
        break;
      }
    }
    if (target == nullptr) target = FindIdle();
    if (target == nullptr &&
        static_cast<int>(connections_.size()) < target_size_) {
      connections_.push_back(Entry{factory_(), false});
      target = &connections_.back();
    }
    if (target == nullptr) break;
    Queued next = std::move(queue_.front());
    queue_.pop_front();
    Dispatch(*target, next.sql, std::move(next.callback), next.enqueued_ns);
  }
  // Whatever is still reserved has nothing left to wait for.
  for (Entry& e : connections_) {
    if (!e.connection->busy()) e.reserved = false;
  }
}

}  // namespace dbcache::mysql
