#include "web/host_check.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace dbcache::web {
namespace {

// Debian's Abseil has its own string_view.
absl::string_view View(std::string_view s) { return {s.data(), s.size()}; }

std::string Lower(std::string_view s) {
  std::string out(s);
  absl::AsciiStrToLower(&out);
  return out;
}

bool IsIpv4(const std::string& host) {
  in_addr address;
  return inet_pton(AF_INET, host.c_str(), &address) == 1;
}

bool IsIpv6(const std::string& host) {
  in6_addr address;
  return inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

}  // namespace

bool HostAllowed(std::string_view host_header,
                 const std::vector<std::string>& allowed) {
  const absl::string_view stripped =
      absl::StripAsciiWhitespace(View(host_header));
  const std::string_view value(stripped.data(), stripped.size());
  if (value.empty()) return true;
  std::string host;
  if (value.front() == '[') {
    const size_t close = value.find(']');
    if (close == std::string_view::npos) return false;
    // Only an address goes in brackets.
    return IsIpv6(std::string(value.substr(1, close - 1)));
  }
  host = Lower(value.substr(0, value.find(':')));
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return false;
  if (IsIpv4(host)) return true;
  if (host == "localhost" || absl::EndsWith(host, ".localhost")) return true;
  for (const std::string& entry : allowed) {
    if (entry == "*" || entry == host) return true;
    if (entry.size() > 1 && entry.front() == '.' &&
        absl::EndsWith(host, View(entry))) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> ParseAllowedHosts(std::string_view list) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(View(list), ',')) {
    const absl::string_view trimmed = absl::StripAsciiWhitespace(part);
    std::string name = Lower(std::string_view(trimmed.data(), trimmed.size()));
    if (!name.empty() && name.back() == '.') name.pop_back();
    if (!name.empty()) out.push_back(std::move(name));
  }
  return out;
}

}  // namespace dbcache::web
