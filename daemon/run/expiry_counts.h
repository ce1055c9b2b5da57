#ifndef DBCACHE_DAEMON_RUN_EXPIRY_COUNTS_H_
#define DBCACHE_DAEMON_RUN_EXPIRY_COUNTS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace dbcache::run {

// The database statements each key expiry costs: the stampede size. An expiry
// of a key opens when a query finds it missing and closes when every
// statement loading it since has finished (stored its rows or failed), or when
// a query finds it present again with none of this daemon's running (another
// daemon filled it: an expiry that cost this one nothing). A strategy that
// protects the database shows 1 (or 0) statement per expiry; none shows about
// as many as there were queries for the key in flight.
//
// Only keys with an open expiry are held (a few, at most the concurrency), so
// a hit costs one check of an empty map.
//
//   counts.OnMiss(key);       // GET found nothing
//   counts.OnLoadStart(key);  // a statement for it starts
//   counts.OnLoadEnd(key);    // ... and has stored its rows: closed, 1
class ExpiryCounts {
 public:
  // Expiries that cost more statements than this are counted in the top bin.
  static constexpr uint32_t kMaxCounted = 4096;

  void Reset();
  void OnMiss(std::string_view key);
  void OnHit(std::string_view key) {
    if (!open_.empty()) CloseIfIdle(key);
  }
  // A statement that loads `key`; a refresh of a key that is present (no open
  // expiry) is not counted here.
  void OnLoadStart(std::string_view key);
  void OnLoadEnd(std::string_view key);

  // Closed expiries, and statements they cost in all.
  uint64_t expiries() const { return expiries_; }
  uint64_t statements() const { return statements_; }
  uint32_t max() const { return max_; }
  int open() const { return static_cast<int>(open_.size()); }
  // The smallest n such that at least q percent of the closed expiries cost
  // at most n statements; 0 when none closed.
  uint32_t Percentile(double q) const;
  double Mean() const;

 private:
  struct Open {
    uint32_t loads_running = 0;
    uint32_t statements = 0;
  };
  void CloseIfIdle(std::string_view key);
  void Close(uint32_t statements);

  absl::flat_hash_map<std::string, Open> open_;
  std::array<uint64_t, kMaxCounted + 1> bins_{};
  uint64_t expiries_ = 0;
  uint64_t statements_ = 0;
  uint32_t max_ = 0;
};

}  // namespace dbcache::run

#endif  // DBCACHE_DAEMON_RUN_EXPIRY_COUNTS_H_
