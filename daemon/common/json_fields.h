#ifndef DBCACHE_DAEMON_COMMON_JSON_FIELDS_H_
#define DBCACHE_DAEMON_COMMON_JSON_FIELDS_H_

#include <string>

#include "nlohmann/json.hpp"

namespace dbcache {

// Readers of a summary's fields that never throw, whatever the JSON holds: a
// number whatever its JSON type (0 when missing or not a number), a string
// ("" likewise), an object (an empty one likewise).
//
//   double hits = Number(summary, "hits");
//   const nlohmann::json& db = Object(Object(summary, "latency_us"), "db");
inline double Number(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

inline std::string Text(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

inline const nlohmann::json& Object(const nlohmann::json& j, const char* key) {
  static const nlohmann::json* const kEmpty =
      new nlohmann::json(nlohmann::json::object());
  if (!j.is_object()) return *kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : *kEmpty;
}

}  // namespace dbcache

#endif  // DBCACHE_DAEMON_COMMON_JSON_FIELDS_H_
