#include "web/requests.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "daemon/common/str_cat.h"
#include "daemon/run/control/run_keys.h"
#include "web/json_util.h"

namespace dbcache::web {
namespace {

using OrderedJson = nlohmann::ordered_json;

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return absl::ascii_tolower(static_cast<unsigned char>(x)) ==
                  absl::ascii_tolower(static_cast<unsigned char>(y));
         });
}

std::string_view StateOf(const nlohmann::json& document) {
  if (!document.is_object()) return "";
  auto it = document.find("state");
  if (it == document.end() || !it->is_string()) return "";
  return it->get_ref<const std::string&>();
}

// The "updated_at" of a daemon document (RFC 3339, e.g.
// "2026-11-23T21:00:00.000Z"); nullopt when missing or malformed.
std::optional<absl::Time> UpdatedAt(const nlohmann::json& document) {
  auto it = document.find("updated_at");
  if (it == document.end() || !it->is_string()) return std::nullopt;
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, it->get<std::string>(), &time,
                       &error)) {
    return std::nullopt;
  }
  return time;
}

HttpError BadRequest(std::string message, std::string field = "") {
  return HttpError{400, std::move(message), std::move(field)};
}

// The control message {"cmd":"run", ...params} (or "compare").
std::string RunMessage(run::CommandKind kind, const OrderedJson& params) {
  OrderedJson message = OrderedJson::object();
  message["cmd"] = std::string(run::CommandKindName(kind));
  for (const auto& [key, value] : params.items()) message[key] = value;
  return DumpJson(message);
}

}  // namespace

std::string HttpError::Body() const { return ErrorBody(message, field); }

bool IsJsonContentType(std::string_view content_type) {
  std::string_view media_type = content_type.substr(0, content_type.find(';'));
  return EqualsIgnoreCase(TrimSpaces(media_type), "application/json");
}

std::optional<HttpError> ParseRunRequest(std::string_view content_type,
                                         std::string_view body,
                                         run::ControlCommand* command,
                                         run::CommandKind kind) {
  if (body.size() > kMaxRequestBody) {
    return HttpError{413,
                     absl::StrFormat("request body of %d bytes exceeds the "
                                     "limit of %d bytes",
                                     body.size(), kMaxRequestBody),
                     ""};
  }
  if (!IsJsonContentType(content_type)) {
    return HttpError{415,
                     "Content-Type must be application/json, e.g. "
                     "{\"queries\":1000,\"concurrency\":1,\"ttl_ms\":5000}",
                     ""};
  }
  // An empty body means "all defaults", like a bare `run` message.
  OrderedJson params = TrimSpaces(body).empty()
                           ? OrderedJson::object()
                           : OrderedJson::parse(body, nullptr,
                                                /*allow_exceptions=*/false);
  if (params.is_discarded()) {
    return BadRequest("request body is not valid JSON");
  }
  if (!params.is_object()) {
    return BadRequest(dbcache::StrCat(
        "request body must be a JSON object of run parameters (",
        run::control::RunKeyNames(), ")"));
  }
  if (params.contains("cmd")) {
    return BadRequest(
        kind == run::CommandKind::kCompare
            ? "'cmd' is not a run parameter: POST /api/compares always starts "
              "a compare"
            : "'cmd' is not a run parameter: POST /api/runs always starts a "
              "run",
        "cmd");
  }
  // Each field alone first, so that the error names the field at fault
  // without parsing the parser's messages.
  for (const auto& [key, value] : params.items()) {
    OrderedJson single = OrderedJson::object();
    single[key] = value;
    absl::StatusOr<run::ControlCommand> parsed =
        run::ParseControlMessage(RunMessage(kind, single));
    if (!parsed.ok()) {
      return BadRequest(std::string(parsed.status().message()), key);
    }
  }
  absl::StatusOr<run::ControlCommand> parsed =
      run::ParseControlMessage(RunMessage(kind, params));
  if (!parsed.ok()) return BadRequest(std::string(parsed.status().message()));
  if (parsed->kind != kind) {
    return HttpError{500, "the control parser returned another command", ""};
  }
  *command = *std::move(parsed);
  return std::nullopt;
}

bool IsRunGoing(const nlohmann::json& stats, const nlohmann::json& daemon) {
  const bool stats_running = StateOf(stats) == "running";
  const std::string_view daemon_state = StateOf(daemon);
  const bool daemon_running =
      daemon_state == "running" || daemon_state == "stopping";
  if (!daemon.is_object()) return stats_running;
  if (!stats.is_object()) return daemon_running;
  std::optional<absl::Time> stats_time = UpdatedAt(stats);
  std::optional<absl::Time> daemon_time = UpdatedAt(daemon);
  if (!stats_time.has_value() || !daemon_time.has_value()) {
    return stats_running || daemon_running;
  }
  return *stats_time >= *daemon_time ? stats_running : daemon_running;
}

std::string MakeRunId(absl::Time now, uint32_t random) {
  return absl::StrFormat(
      "w%s-%08x",
      absl::FormatTime("%Y%m%dT%H%M%E3SZ", now, absl::UTCTimeZone()), random);
}

bool BearerTokenMatches(std::string_view authorization,
                        std::string_view token) {
  if (token.empty()) return false;
  constexpr std::string_view kScheme = "bearer ";
  authorization = TrimSpaces(authorization);
  if (authorization.size() < kScheme.size() ||
      !EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  std::string_view given = TrimSpaces(authorization.substr(kScheme.size()));
  // Every byte of the expected token is compared whatever the given one holds,
  // so the time taken tells nothing about how much of it was right.
  unsigned char difference = given.size() == token.size() ? 0 : 1;
  for (size_t i = 0; i < token.size(); ++i) {
    const char given_byte = i < given.size() ? given[i] : '\0';
    difference |= static_cast<unsigned char>(given_byte ^ token[i]);
  }
  return difference == 0;
}

bool IsLoopbackHost(std::string_view host) {
  if (EqualsIgnoreCase(host, "localhost")) return true;
  const std::string text(host);
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace dbcache::web
