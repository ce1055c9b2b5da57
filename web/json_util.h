#ifndef DBCACHE_WEB_JSON_UTIL_H_
#define DBCACHE_WEB_JSON_UTIL_H_

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace dbcache::web {

// json.dump() that never throws: bytes that are not UTF-8 (text from Redis can
// carry anything) become U+FFFD instead of an exception.
//
//   response.set_content(DumpJson(value), "application/json");
template <typename BasicJson>
std::string DumpJson(const BasicJson& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false,
                    BasicJson::error_handler_t::replace);
}

// The body of every API error: {"error": message} plus {"field": field} when
// the error is about one field of the request.
//
//   ErrorBody("queries=0 is out of range 1..10000000", "queries")
std::string ErrorBody(std::string_view message, std::string_view field = "");

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_JSON_UTIL_H_
