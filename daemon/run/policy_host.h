#ifndef DBCACHE_DAEMON_RUN_POLICY_HOST_H_
#define DBCACHE_DAEMON_RUN_POLICY_HOST_H_

#include <cstdint>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "daemon/redis/redis_client.h"
#include "daemon/run/query.h"
#include "daemon/run/run_stats.h"

namespace dbcache::run {

// What a stampede policy may do for a query: the run engine's services. The
// engine does the first GET of every query and hands the result to the
// policy, which ends the query through these calls; the engine owns timing,
// counting, fills and the end of the run.
class PolicyHost {
 public:
  // `ok`, and the error's text when not.
  using Loaded = absl::AnyInvocable<void(bool ok, std::string_view error)>;
  using Stored = absl::AnyInvocable<void(bool ok)>;

  virtual ~PolicyHost() = default;

  // Ends `q` as a cache hit (its GET's time is the hit's).
  virtual void Hit(Query& q) = 0;
  // Ends `q` with `outcome` (a miss, or coalesced: `wait_start_ns` says since
  // when it waited).
  virtual void Complete(Query& q, Outcome outcome) = 0;
  virtual void Fail(Query& q, ErrorKind kind, std::string_view message) = 0;
  // Runs q's statement on MySQL and stores its rows with PSETEX. `loaded`
  // runs once the rows are in (or the statement failed), `stored` once the
  // fill has answered (never after a failed statement). `stored` must not
  // touch `q`, which may be serving another query by then.
  virtual void Load(Query& q, Loaded loaded, Stored stored) = 0;
  // The same for a statement that belongs to no query (a refresh of a key
  // that is still cached): `done(ok)` once it is stored or failed.
  virtual void Refresh(std::string_view sql, std::string_view key,
                       absl::AnyInvocable<void(bool ok)> done) = 0;
  // Sends q's GET again after `delay`; its answer comes back to the policy
  // (OnHit or OnMiss) with q.attempts counted up.
  virtual void RetryGet(Query& q, absl::Duration delay) = 0;
  // A command on the primary, for `q`: the callback runs only while q is
  // still the same query of the same run.
  virtual void PrimaryCommand(Query& q,
                              std::initializer_list<std::string_view> argv,
                              redis::ReplyCallback callback) = 0;
  // A command on the primary that belongs to no query (a lock's release).
  virtual void PrimaryCommand(std::initializer_list<std::string_view> argv,
                              redis::ReplyCallback callback) = 0;

  virtual int64_t NowNanos() const = 0;
  // Wall clock, Unix milliseconds: what entry metadata is written in.
  virtual uint64_t WallMillis() const = 0;
  // A seeded draw in (0, 1].
  virtual double Uniform01() = 0;
  virtual const RunParams& params() const = 0;
  virtual RunStats& run_stats() = 0;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_POLICY_HOST_H_
