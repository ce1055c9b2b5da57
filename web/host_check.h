#ifndef DBCACHE_WEB_HOST_CHECK_H_
#define DBCACHE_WEB_HOST_CHECK_H_

#include <string>
#include <string_view>
#include <vector>

namespace dbcache::web {

// Whether a request's Host header names this server, against DNS rebinding:
// a page on evil.example can point its name at 127.0.0.1, and its scripts
// then reach dbcache-web as same-origin, with Origin and Host agreeing.
// Such a request always carries the attacker's name in Host, so only these
// are answered:
// - an IP address (v4, or v6 in brackets), which no rebinding can produce;
// - localhost and *.localhost, which resolve to loopback by definition
//   (RFC 6761);
// - a name in `allowed`: an exact name ("dbcache.internal"), a suffix pattern
//   (".corp.example" allows every name under it), or "*" (every name).
// A request without Host (HTTP/1.0) is not from a browser and is allowed.
// Names compare case-insensitively, with the port and a trailing dot
// ignored.
//
//   HostAllowed("127.0.0.1:8080", {})                 // true
//   HostAllowed("evil.example:8080", {})              // false
//   HostAllowed("dbcache.internal", {"dbcache.internal"})  // true
bool HostAllowed(std::string_view host_header,
                 const std::vector<std::string>& allowed);

// "a.example, .corp.example" -> {"a.example", ".corp.example"}; empty
// entries dropped, names lowercased.
std::vector<std::string> ParseAllowedHosts(std::string_view list);

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_HOST_CHECK_H_
