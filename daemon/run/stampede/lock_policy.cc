#include "daemon/run/stampede/lock_policy.h"

#include <algorithm>

#include "daemon/common/str_cat.h"

namespace dbcache::run {
namespace {

// Deletes the lock only if it still holds our token: a holder whose lock
// expired must not release the next holder's.
constexpr std::string_view kReleaseScript =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "return redis.call('DEL', KEYS[1]) end return 0";

}  // namespace

absl::Duration LockPolicy::Backoff(int attempts) {
  return absl::Milliseconds(int64_t{1} << std::clamp(attempts, 0, 6));
}

void LockPolicy::OnHit(Query& q, const std::optional<cache::EntryMeta>&) {
  if (!q.lock_token.empty()) {
    // Filled by another between our miss and our lock: nothing to load.
    Release(StrCat(q.key, ":lock"), q.lock_token);
    q.lock_token.clear();
  }
  if (q.attempts == 0) {
    host_.Hit(q);
    return;
  }
  // A waiter's GET found the holder's value.
  host_.run_stats().RecordCoalescedWait(
      static_cast<uint64_t>(host_.NowNanos() - q.wait_start_ns));
  host_.Complete(q, Outcome::kCoalesced);
}

void LockPolicy::OnMiss(Query& q) {
  if (!q.lock_token.empty()) {
    // Still missing with the lock held: ours to load.
    std::string token = std::move(q.lock_token);
    q.lock_token.clear();
    LoadHolding(q, StrCat(q.key, ":lock"), std::move(token));
    return;
  }
  if (q.attempts > 0 && host_.NowNanos() - q.wait_start_ns >=
                            host_.params().lock_ms * int64_t{1'000'000}) {
    // Waited out the lock's whole lifetime: its holder is gone or slow.
    LoadWithoutLock(q);
    return;
  }
  TryLock(q);
}

void LockPolicy::TryLock(Query& q) {
  std::string lock_key = StrCat(q.key, ":lock");
  std::string token = StrCat(owner_, ":", ++tokens_);
  const std::string px = StrCat(host_.params().lock_ms);
  host_.PrimaryCommand(
      q, {"SET", lock_key, token, "NX", "PX", px},
      [this, &q, token](const redis::RedisReply& reply) mutable {
        if (!reply.ok() || reply.is_error()) {
          host_.run_stats().RecordLockError();
          LoadWithoutLock(q);
          return;
        }
        if (reply.is_nil()) {
          Wait(q);
          return;
        }
        // Look again before loading: another holder may have filled the key
        // and released its lock between our GET and our SET.
        q.lock_token = std::move(token);
        if (q.attempts == 0) q.wait_start_ns = host_.NowNanos();
        host_.RetryGet(q, absl::ZeroDuration());
      });
}

void LockPolicy::Wait(Query& q) {
  if (q.attempts == 0) {
    host_.run_stats().RecordLockWait();
    q.wait_start_ns = host_.NowNanos();
  }
  host_.RetryGet(q, Backoff(q.attempts));
}

void LockPolicy::LoadHolding(Query& q, std::string lock_key,
                             std::string token) {
  host_.Load(
      q,
      [this, &q, lock_key, token](bool ok, std::string_view error) {
        if (ok) {
          host_.Complete(q, Outcome::kMiss);
          return;
        }
        // No fill will come: let the waiters try the lock now rather than
        // when it expires.
        Release(lock_key, token);
        host_.Fail(q, ErrorKind::kDb, error);
      },
      [this, lock_key, token](bool) { Release(lock_key, token); });
}

void LockPolicy::Release(const std::string& lock_key,
                         const std::string& token) {
  host_.PrimaryCommand({"EVAL", kReleaseScript, "1", lock_key, token},
                       [](const redis::RedisReply&) {
                         // A release that fails leaves the lock to expire.
                       });
}

void LockPolicy::LoadWithoutLock(Query& q) { LoadAsMiss(q); }

}  // namespace dbcache::run
