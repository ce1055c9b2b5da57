#ifndef DBCACHE_DAEMON_COMMON_STR_CAT_H_
#define DBCACHE_DAEMON_COMMON_STR_CAT_H_

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace dbcache {

// Debian's Abseil is built with its own absl::string_view
// (ABSL_OPTION_USE_STD_STRING_VIEW is 0), which absl::StrCat cannot take a
// std::string_view for. These wrappers accept everything absl::StrCat does plus
// std::string_view, which this C++20 code base uses.
//
//   std::string key = dbcache::StrCat(prefix_view, "stats");
namespace str_cat_internal {
template <typename T>
decltype(auto) ToAlphaNum(const T& value) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return absl::string_view(value.data(), value.size());
  } else {
    return (value);
  }
}
}  // namespace str_cat_internal

// absl::Status::message() and other Abseil results are absl::string_view.
inline std::string_view AsStd(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}
// ... and Abseil's containers look up string keys by absl::string_view.
inline absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

template <typename... Args>
std::string StrCat(const Args&... args) {
  return absl::StrCat(str_cat_internal::ToAlphaNum(args)...);
}

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  absl::StrAppend(out, str_cat_internal::ToAlphaNum(args)...);
}

}  // namespace dbcache

#endif  // DBCACHE_DAEMON_COMMON_STR_CAT_H_
