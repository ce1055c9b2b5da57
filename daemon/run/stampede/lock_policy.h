#ifndef DBCACHE_DAEMON_RUN_STAMPEDE_LOCK_POLICY_H_
#define DBCACHE_DAEMON_RUN_STAMPEDE_LOCK_POLICY_H_

#include <string>

#include "daemon/run/stampede/stampede_policy.h"

namespace dbcache::run {

// stampede=lock: a miss takes a short lock in Redis (SET <key>:lock <token> NX
// PX lock_ms) and, holding it, GETs the key once more (another holder may
// have filled it meanwhile) before it loads the key, so that daemons on
// several hosts fill a key once between them. A miss that finds the lock taken
// waits for the holder's fill: it GETs again after 1, 2, 4 ... ms (at most 64
// ms apart), trying the lock again whenever the key is still missing (the
// holder may have failed), and ends `coalesced` when the value appears. A
// waiter that has waited longer than lock_ms loads the key itself. The holder
// releases the lock after its fill, only if it still holds it (a
// compare-and-delete script). A lock command that fails loads the key without a
// lock (lock_errors).
//
//   LockPolicy policy(host, "host1:4242");
//   policy.OnMiss(q);  // SET ...:lock NX PX; then Load, or wait and re-GET
class LockPolicy : public StampedePolicy {
 public:
  LockPolicy(PolicyHost& host, std::string owner)
      : StampedePolicy(host), owner_(std::move(owner)) {}

  void OnHit(Query& q, const std::optional<cache::EntryMeta>& meta) override;
  void OnMiss(Query& q) override;

  static absl::Duration Backoff(int attempts);

 private:
  void TryLock(Query& q);
  void LoadHolding(Query& q, std::string lock_key, std::string token);
  void LoadWithoutLock(Query& q);
  void Release(const std::string& lock_key, const std::string& token);
  void Wait(Query& q);

  const std::string owner_;
  uint64_t tokens_ = 0;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_STAMPEDE_LOCK_POLICY_H_
