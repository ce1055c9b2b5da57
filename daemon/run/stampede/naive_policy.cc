// stampede=none: every miss loads the key itself, however many other queries
// are loading it at the same time. The stampede, kept measurable.
#include "daemon/run/stampede/naive_policy.h"

namespace dbcache::run {

void NaivePolicy::OnMiss(Query& q) { LoadAsMiss(q); }

}  // namespace dbcache::run
