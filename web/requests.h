#ifndef DBCACHE_WEB_REQUESTS_H_
#define DBCACHE_WEB_REQUESTS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "daemon/run/control_command.h"
#include "nlohmann/json.hpp"

namespace dbcache::web {

// The decisions behind dbcache-web's API, as pure functions: what a request
// means, which status code answers it, whether it may go ahead. The server
// only moves bytes between these and the network.

// Largest request body accepted; larger ones are answered 413.
inline constexpr size_t kMaxRequestBody = 16 * 1024;

// An error answer: an HTTP status and the JSON body {"error": message} plus
// {"field": field} when one field of the request is at fault.
//
//   HttpError error{400, "queries=0 is out of range 1..10000000", "queries"};
//   response.status = error.status;
//   response.set_content(error.Body(), "application/json");
struct HttpError {
  int status = 500;
  std::string message;
  std::string field;

  std::string Body() const;
};

// Parses the body of POST /api/runs: a JSON object of run parameters
// (queries, concurrency, ttl_ms, limit_max, seed, cache, id; all optional),
// validated by the daemon's own control-message parser so that the web and
// the daemon can never disagree about what is valid. On success fills
// *command, a kRun command whose id is empty when the body gave none, and
// returns nullopt. Otherwise returns the error to answer with: 413 for a body
// over kMaxRequestBody, 415 for a Content-Type other than application/json,
// 400 for anything wrong with the content, naming the field at fault.
//
//   run::ControlCommand command;
//   if (std::optional<HttpError> error = ParseRunRequest(type, body, &command))
//   {
//     return Reply(*error);
//   }
// With kind kCompare, the body of POST /api/compares: the same keys but
// cache, for a compare command.
std::optional<HttpError> ParseRunRequest(
    std::string_view content_type, std::string_view body,
    run::ControlCommand* command,
    run::CommandKind kind = run::CommandKind::kRun);

// "application/json", any case, with or without parameters such as charset.
bool IsJsonContentType(std::string_view content_type);

// Whether a run is going, judged from <prefix>stats and the <prefix>daemon
// heartbeat (null when absent). Each says what it knew at its "updated_at",
// both stamped by the daemon's clock, so the newer one wins: stats written
// when a run starts or ends are believed over a heartbeat up to a second old,
// and a live daemon's "idle" heartbeat is believed over stats left "running"
// by a daemon that died mid-run. When the times cannot be compared, either
// saying "running" (or the heartbeat "stopping") counts.
bool IsRunGoing(const nlohmann::json& stats, const nlohmann::json& daemon);

// A run id for a run started from the web: "w" + UTC time to the millisecond
// + 8 hex digits of `random`, e.g. "w20261123T210000.123Z-00c0ffee". Valid for
// the control parser (letters, digits, '.', '-').
std::string MakeRunId(absl::Time now, uint32_t random);

// Whether an Authorization header carries "Bearer <token>", compared in time
// that does not depend on where the two first differ. `token` must not be
// empty.
bool BearerTokenMatches(std::string_view authorization, std::string_view token);

// Whether `host` (a literal address or "localhost") can only be reached from
// this machine: 127.0.0.0/8, ::1, ::ffff:127.x.x.x or localhost.
bool IsLoopbackHost(std::string_view host);

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_REQUESTS_H_
