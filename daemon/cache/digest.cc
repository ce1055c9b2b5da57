#include "daemon/cache/digest.h"

// The static-linking-only part of the API declares XXH3_state_t's layout, which
// lets the streaming state live on the stack instead of coming from
// XXH3_createState().
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <cstring>

namespace dbcache::cache {
namespace {

constexpr std::string_view kKeyInfix = "q:";
// Texts up to this size are copied into a stack buffer and hashed in one call,
// which is faster than streaming; longer ones are streamed.
constexpr size_t kOneShotLimit = 1024;

XXH128_hash_t Digest(std::string_view database, std::string_view sql) {
  const size_t total = database.size() + 1 + sql.size();
  if (total <= kOneShotLimit) {
    char buffer[kOneShotLimit];
    if (!database.empty()) {
      std::memcpy(buffer, database.data(), database.size());
    }
    buffer[database.size()] = '\0';
    if (!sql.empty()) {
      std::memcpy(buffer + database.size() + 1, sql.data(), sql.size());
    }
    return XXH3_128bits(buffer, total);
  }
  XXH3_state_t state;
  XXH3_INITSTATE(&state);
  XXH3_128bits_reset(&state);
  XXH3_128bits_update(&state, database.data(), database.size());
  const char separator = '\0';
  XXH3_128bits_update(&state, &separator, 1);
  XXH3_128bits_update(&state, sql.data(), sql.size());
  return XXH3_128bits_digest(&state);
}

void WriteHex(uint64_t value, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out[i] = kDigits[value & 0xf];
    value >>= 4;
  }
}

}  // namespace

void AppendCacheKey(std::string* out, std::string_view prefix,
                    std::string_view database, std::string_view sql) {
  const XXH128_hash_t hash = Digest(database, sql);
  char hex[kCacheKeyHexSize];
  WriteHex(hash.high64, hex);
  WriteHex(hash.low64, hex + 16);
  out->reserve(out->size() + prefix.size() + kKeyInfix.size() +
               kCacheKeyHexSize);
  out->append(prefix.data(), prefix.size());
  out->append(kKeyInfix.data(), kKeyInfix.size());
  out->append(hex, kCacheKeyHexSize);
}

std::string CacheKey(std::string_view prefix, std::string_view database,
                     std::string_view sql) {
  std::string key;
  AppendCacheKey(&key, prefix, database, sql);
  return key;
}

}  // namespace dbcache::cache
