// stampede=none: every miss loads the key itself, however many other queries
// are loading it at the same time. The stampede, kept measurable.
#include "daemon/run/stampede/naive_policy.h"

namespace dbcache::run {

void NaivePolicy::OnMiss(Query& q) {
  host_.Load(
      q,
      [this, &q](bool ok, std::string_view error) {
        if (ok) {
          host_.Complete(q, Outcome::kMiss);
        } else {
          host_.Fail(q, ErrorKind::kDb, error);
        }
      },
      nullptr);
}

}  // namespace dbcache::run
