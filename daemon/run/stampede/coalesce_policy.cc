#include "daemon/run/stampede/coalesce_policy.h"

#include "daemon/common/str_cat.h"

namespace dbcache::run {

void CoalescePolicy::OnMiss(Query& q) {
  auto [flight, opened] = flights_.try_emplace(q.key);
  if (!opened) {
    q.wait_start_ns = host_.NowNanos();
    flight->second.push_back(Waiter{&q, q.seq});
    return;
  }
  std::string key = q.key;
  host_.Load(
      q,
      [this, &q, key](bool ok, std::string_view error) {
        if (ok) {
          host_.Complete(q, Outcome::kMiss);
          return;
        }
        host_.Fail(q, ErrorKind::kDb, error);
        EndFlight(key, false, error);
      },
      [this, key](bool) {
        // The rows were served whether or not the fill took: the waiters end
        // as coalesced either way.
        EndFlight(key, true, "");
      });
}

void CoalescePolicy::EndFlight(const std::string& key, bool ok,
                               std::string_view error) {
  auto it = flights_.find(key);
  if (it == flights_.end()) return;
  std::vector<Waiter> waiters = std::move(it->second);
  flights_.erase(it);
  for (const Waiter& w : waiters) {
    if (w.query->seq != w.seq) continue;  // cannot happen while it waits
    if (ok) {
      host_.run_stats().RecordCoalescedWait(
          static_cast<uint64_t>(host_.NowNanos() - w.query->wait_start_ns));
      host_.Complete(*w.query, Outcome::kCoalesced);
    } else {
      host_.Fail(*w.query, ErrorKind::kCoalesced,
                 StrCat("coalesced with a failed statement: ", error));
    }
  }
}

}  // namespace dbcache::run
