#ifndef DBCACHE_DAEMON_RUN_CONTROL_UTF8_H_
#define DBCACHE_DAEMON_RUN_CONTROL_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace dbcache::run::control {

// Long user text is cut to this many bytes when quoted back in an error.
inline constexpr size_t kMaxQuotedSize = 64;

// OK for printable UTF-8 text; otherwise an InvalidArgument error naming the
// first control byte (other than ASCII whitespace; NUL and DEL included) or
// malformed, overlong or surrogate sequence, and its offset.
//
//   CheckText("run\x01")  // "not valid UTF-8 text: control byte 0x01 at byte
//   3"
absl::Status CheckText(std::string_view s);

// The length (2..4) of the well-formed UTF-8 sequence at the start of s, whose
// first byte is >= 0x80; 0 if it is malformed, overlong, a surrogate or cut
// short.
size_t Utf8SequenceLength(std::string_view s);

// s cut to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view CutUtf8(std::string_view s, size_t max);

// s with every byte that is not part of a well-formed UTF-8 sequence written
// as \xNN, so that it can go into an error message (and a JSON event).
std::string EscapeMalformedUtf8(std::string_view s);

// User text made safe to embed in an error message: escaped and cut short
// ("..." marks a cut); Quoted adds single quotes.
std::string Shown(std::string_view s);
std::string Quoted(std::string_view s);

bool IsAsciiWhitespace(char c);
std::string_view TrimAsciiWhitespace(std::string_view s);

}  // namespace dbcache::run::control

#endif  // DBCACHE_DAEMON_RUN_CONTROL_UTF8_H_
