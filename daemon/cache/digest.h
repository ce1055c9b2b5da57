#ifndef DBCACHE_DAEMON_CACHE_DIGEST_H_
#define DBCACHE_DAEMON_CACHE_DIGEST_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace dbcache::cache {

// Length of the hex digest at the end of every cache key.
inline constexpr size_t kCacheKeyHexSize = 32;

// The Redis key of a cached result set: `<prefix>q:<32 lowercase hex digits>`,
// the hex being XXH3_128 (high half first) over the database name, one 0x00
// byte, and the SQL text. The separator keeps ("db", "x") and ("d", "bx")
// apart; a database name cannot contain 0x00. The key depends on nothing but
// its inputs, so every daemon on every machine, now and after upgrades, finds
// the same entries.
//
//   std::string key = CacheKey("dbcache:", "reviews", "SELECT 1");
//   // key == "dbcache:q:" + 32 hex digits
std::string CacheKey(std::string_view prefix, std::string_view database,
                     std::string_view sql);

// Appends the same key to *out. Allocates nothing beyond growing *out (a long
// SQL text is hashed in streaming mode with the state on the stack), so a
// reused buffer makes this allocation-free on the hot path.
void AppendCacheKey(std::string* out, std::string_view prefix,
                    std::string_view database, std::string_view sql);

}  // namespace dbcache::cache

#endif  // DBCACHE_DAEMON_CACHE_DIGEST_H_
