#ifndef DBCACHE_DAEMON_RUN_CONTROL_SUGGEST_H_
#define DBCACHE_DAEMON_RUN_CONTROL_SUGGEST_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace dbcache::run::control {

// Levenshtein distance (insertions, deletions, substitutions).
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate the user most likely meant by `typed`: one at most two edits
// away (and fewer edits than `typed` has characters, so "x" does not become
// "id"), or failing that the shortest candidate starting with what was typed
// ("ttl" -> "ttl_ms", not "ttl_jitter_pct"; none when two tie).
// Case-insensitive. For "did you mean" errors.
//
//   Suggest("querys", keys)  // "queries"
std::optional<std::string_view> Suggest(
    std::string_view typed, std::span<const std::string_view> candidates);

}  // namespace dbcache::run::control

#endif  // DBCACHE_DAEMON_RUN_CONTROL_SUGGEST_H_
