#include "daemon/run/load/key_sampler.h"

#include <algorithm>
#include <cmath>

namespace dbcache::run {

KeySampler::KeySampler(const KeyDistribution& distribution, int64_t keys,
                       uint64_t seed)
    : distribution_(distribution),
      keys_(std::max<int64_t>(1, keys)),
      rng_(seed),
      all_(1, keys_) {
  switch (distribution_.kind) {
    case KeyDistribution::Kind::kZipf:
      zipf_.emplace(keys_, distribution_.exponent);
      break;
    case KeyDistribution::Kind::kHotspot:
      hot_keys_ =
          std::clamp<int64_t>(std::llround(static_cast<double>(keys_) *
                                           distribution_.hot_keys_pct / 100.0),
                              1, keys_);
      hot_ = std::uniform_int_distribution<int64_t>(1, hot_keys_);
      cold_ = std::uniform_int_distribution<int64_t>(
          std::min(hot_keys_ + 1, keys_), keys_);
      break;
    case KeyDistribution::Kind::kUniform:
    case KeyDistribution::Kind::kSequential:
      break;
  }
}

int64_t KeySampler::Next() {
  switch (distribution_.kind) {
    case KeyDistribution::Kind::kUniform:
      return all_(rng_);
    case KeyDistribution::Kind::kSequential:
      next_ = next_ % keys_ + 1;
      return next_;
    case KeyDistribution::Kind::kZipf:
      return zipf_->Next(rng_);
    case KeyDistribution::Kind::kHotspot: {
      // When the hot set is every key, the cold draw has nothing to pick.
      if (hot_keys_ == keys_) return hot_(rng_);
      const double u = std::uniform_real_distribution<double>(0, 100)(rng_);
      return u < distribution_.hot_requests_pct ? hot_(rng_) : cold_(rng_);
    }
  }
  return all_(rng_);
}

}  // namespace dbcache::run
