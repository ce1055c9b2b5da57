#ifndef DBCACHE_DAEMON_RUN_LOAD_KEY_SAMPLER_H_
#define DBCACHE_DAEMON_RUN_LOAD_KEY_SAMPLER_H_

#include <cstdint>
#include <optional>
#include <random>

#include "daemon/run/load/key_distribution.h"
#include "daemon/run/load/zipf_sampler.h"

namespace dbcache::run {

// The run's stream of parameter values 1..keys under one distribution, from
// a seed, so that a run repeats exactly. `uniform` draws exactly what the
// demo drew before distributions existed, so old seeds give old runs.
//
//   KeySampler keys(*ParseKeyDistribution("zipf:1.1"), /*keys=*/1000, seed);
//   int64_t n = keys.Next();  // 1..1000, 1 the most frequent
class KeySampler {
 public:
  KeySampler(const KeyDistribution& distribution, int64_t keys, uint64_t seed);

  int64_t Next();

  // The size of hotspot's hot set: ranks 1..HotKeys().
  int64_t HotKeys() const { return hot_keys_; }

 private:
  KeyDistribution distribution_;
  int64_t keys_;
  std::mt19937_64 rng_;
  std::uniform_int_distribution<int64_t> all_;
  std::uniform_int_distribution<int64_t> hot_;
  std::uniform_int_distribution<int64_t> cold_;
  std::optional<ZipfSampler> zipf_;
  int64_t hot_keys_ = 0;
  int64_t next_ = 0;  // sequential: the last value given
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_LOAD_KEY_SAMPLER_H_
