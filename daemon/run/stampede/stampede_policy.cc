#include "daemon/run/stampede/stampede_policy.h"

#include <unistd.h>

#include "daemon/common/str_cat.h"
#include "daemon/run/stampede/coalesce_policy.h"
#include "daemon/run/stampede/lock_policy.h"
#include "daemon/run/stampede/naive_policy.h"
#include "daemon/run/stampede/refreshing_policy.h"

namespace dbcache::run {
namespace {

// A lock token that no other daemon uses: host and pid.
std::string LockOwner() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '?';
  return StrCat(host, ":", getpid());
}

}  // namespace

void StampedePolicy::LoadAsMiss(Query& q, PolicyHost::Stored stored) {
  host_.Load(
      q,
      [this, &q](bool ok, std::string_view error) {
        if (ok) {
          host_.Complete(q, Outcome::kMiss);
        } else {
          host_.Fail(q, ErrorKind::kDb, error);
        }
      },
      std::move(stored));
}

std::unique_ptr<StampedePolicy> MakeStampedePolicy(Stampede stampede,
                                                   PolicyHost& host) {
  switch (stampede) {
    case Stampede::kNone:
      return std::make_unique<NaivePolicy>(host);
    case Stampede::kCoalesce:
      return std::make_unique<CoalescePolicy>(host);
    case Stampede::kLock:
      return std::make_unique<LockPolicy>(host, LockOwner());
    case Stampede::kXFetch:
      return std::make_unique<XFetchPolicy>(host);
    case Stampede::kSwr:
      return std::make_unique<SwrPolicy>(host);
  }
  return std::make_unique<CoalescePolicy>(host);
}

}  // namespace dbcache::run
