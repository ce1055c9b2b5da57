// libFuzzer target for the control-message parser
// (daemon/run/control_command.h).
//
// Properties checked on every input, beyond "no crash, no leak, no UB":
// - a rejected message fails with InvalidArgument and a message that is short,
//   non-empty, valid UTF-8 text (it goes into an `error` event verbatim);
// - an accepted message yields a command within the documented ranges, whose
//   canonical JSON (ControlCommandToJson) parses back to an equal command and
//   is itself a fixed point.
//
//   scripts/fuzz.sh --only control_parser --seconds 600
//   build-fuzz/fuzz/control_parser_fuzzer crash-file   (replays one input)
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "daemon/common/str_cat.h"
#include "daemon/run/control_command.h"
#include "tests/fuzz/fuzz_check.h"

namespace dbcache::fuzz {
namespace {

// The longest error message the parser can produce is a few quoted, cut-short
// pieces of input plus fixed text; anything near this bound means some input
// is echoed whole.
constexpr size_t kMaxErrorMessageSize = 1024;

// The same rules as the parser's own check: printable UTF-8, no control bytes
// other than ASCII whitespace. Written independently so that a bug in one is
// not hidden by the same bug in the other.
bool IsCleanUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<uint8_t>(s[i]);
    if (b < 0x80) {
      if ((b < 0x20 && b != '\t' && b != '\n' && b != '\v' && b != '\f' &&
           b != '\r') ||
          b == 0x7f) {
        return false;
      }
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t code_point = 0;
    if ((b & 0xe0) == 0xc0) {
      len = 2;
      code_point = b & 0x1f;
    } else if ((b & 0xf0) == 0xe0) {
      len = 3;
      code_point = b & 0x0f;
    } else if ((b & 0xf8) == 0xf0) {
      len = 4;
      code_point = b & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto c = static_cast<uint8_t>(s[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      code_point = (code_point << 6) | (c & 0x3f);
    }
    constexpr uint32_t kMinForLength[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinForLength[len] || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return false;
    }
    i += len;
  }
  return true;
}

bool IsValidId(std::string_view id) {
  if (id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                    c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void CheckRejected(const absl::Status& status) {
  const std::string_view message = AsStd(status.message());
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument,
             status.ToString());
  FUZZ_CHECK(!message.empty(), "empty error message");
  FUZZ_CHECK(message.size() <= kMaxErrorMessageSize,
             StrCat(message.size(), " bytes: ", message.substr(0, 200)));
  FUZZ_CHECK(IsCleanUtf8(message), message);
}

void CheckAccepted(const run::ControlCommand& command) {
  const std::string json = run::ControlCommandToJson(command);
  FUZZ_CHECK(IsValidId(command.id), json);
  if (run::TakesRunParams(command.kind)) {
    const run::RunParams& run = command.run;
    FUZZ_CHECK(run.queries >= 1 && run.queries <= 10'000'000, json);
    FUZZ_CHECK(run.concurrency >= 1 && run.concurrency <= 1024, json);
    FUZZ_CHECK(run.ttl_ms >= 1 && run.ttl_ms <= 86'400'000, json);
    FUZZ_CHECK(run.limit_max >= 1 && run.limit_max <= 1'000'000, json);
    FUZZ_CHECK(run.id == command.id, json);
    // A compare's runs are <id>-off and <id>-on, run ids of 64 at most.
    if (command.kind == run::CommandKind::kCompare) {
      FUZZ_CHECK(run.id.size() <= run::kMaxCompareIdSize, json);
    }
  } else {
    // Only `id` is allowed with the other commands: the run part stays at its
    // defaults.
    FUZZ_CHECK(command.run == run::RunParams(), json);
  }

  FUZZ_CHECK(json.size() <= run::kMaxControlMessageSize, json);
  absl::StatusOr<run::ControlCommand> reparsed = run::ParseControlMessage(json);
  FUZZ_CHECK(
      reparsed.ok(),
      StrCat(json, " does not parse back: ", reparsed.status().message()));
  FUZZ_CHECK(
      *reparsed == command,
      StrCat(json, " parses back to ", run::ControlCommandToJson(*reparsed)));
  FUZZ_CHECK(run::ControlCommandToJson(*reparsed) == json, json);
}

}  // namespace
}  // namespace dbcache::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<dbcache::run::ControlCommand> command =
      dbcache::run::ParseControlMessage(message);
  if (command.ok()) {
    dbcache::fuzz::CheckAccepted(*command);
  } else {
    dbcache::fuzz::CheckRejected(command.status());
  }
  return 0;
}
