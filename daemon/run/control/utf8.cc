#include "daemon/run/control/utf8.h"

#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "daemon/common/str_cat.h"

namespace dbcache::run::control {

bool IsAsciiWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r';
}

std::string_view TrimAsciiWhitespace(std::string_view s) {
  while (!s.empty() && IsAsciiWhitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiWhitespace(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view CutUtf8(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<uint8_t>(s[n]) & 0xc0) == 0x80) --n;
  return s.substr(0, n);
}

std::string Shown(std::string_view s) {
  std::string_view cut = CutUtf8(s, kMaxQuotedSize);
  return dbcache::StrCat(
      absl::Utf8SafeCHexEscape(absl::string_view(cut.data(), cut.size())),
      cut.size() < s.size() ? "..." : "");
}

std::string Quoted(std::string_view s) {
  return dbcache::StrCat("'", Shown(s), "'");
}

size_t Utf8SequenceLength(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const uint8_t b = p[0];
  size_t len = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) {
    len = 2;
  } else if (b >= 0xe0 && b <= 0xef) {
    len = 3;
    if (b == 0xe0) lo = 0xa0;  // overlong
    if (b == 0xed) hi = 0x9f;  // surrogates
  } else if (b >= 0xf0 && b <= 0xf4) {
    len = 4;
    if (b == 0xf0) lo = 0x90;  // overlong
    if (b == 0xf4) hi = 0x8f;  // above U+10FFFF
  }
  if (len == 0 || len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const uint8_t c = p[k];
    if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xbf)) return 0;
  }
  return len;
}

absl::Status CheckText(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<uint8_t>(s[i]);
    if (b < 0x80) {
      if ((b < 0x20 && !IsAsciiWhitespace(static_cast<char>(b))) || b == 0x7f) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "not valid UTF-8 text: control byte 0x%02x at byte %d", b, i));
      }
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(s.substr(i));
    if (len == 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "not valid UTF-8 text: bad byte 0x%02x at byte %d", b, i));
    }
    i += len;
  }
  return absl::OkStatus();
}

std::string EscapeMalformedUtf8(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<uint8_t>(s[i]);
    const size_t len = b < 0x80 ? 1 : Utf8SequenceLength(s.substr(i));
    if (len == 0) {
      out += absl::StrFormat("\\x%02x", b);
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace dbcache::run::control
