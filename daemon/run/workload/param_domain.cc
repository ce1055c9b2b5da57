#include "daemon/run/workload/param_domain.h"

#include <algorithm>
#include <charconv>

#include "daemon/common/str_cat.h"

namespace dbcache::run {
namespace {

constexpr size_t kMaxValueSize = 255;

bool IsInteger(std::string_view s) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  // The canonical text only: "007" or "+7" would not sort as they read.
  return ec == std::errc() && end == s.data() + s.size() && StrCat(value) == s;
}

// Printable ASCII without ' or \: safe between single quotes whatever the
// server's sql_mode (NO_BACKSLASH_ESCAPES or not).
bool IsSafeText(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e || c == '\'' || c == '\\') return false;
  }
  return true;
}

std::string Shown(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    if (c >= 0x20 && c <= 0x7e) {
      out.push_back(c);
    } else {
      out += StrCat("\\x", absl::Hex(static_cast<uint8_t>(c), absl::kZeroPad2));
    }
  }
  if (s.size() > 40) out += "...";
  return out;
}

}  // namespace

ParamDomain ParamDomain::Range(int64_t lo, int64_t hi) {
  ParamDomain d;
  d.lo_ = lo;
  d.size_ = hi >= lo ? hi - lo + 1 : 0;
  return d;
}

absl::StatusOr<ParamDomain> ParamDomain::FromSample(
    std::vector<std::optional<std::string>> values) {
  std::vector<std::string> texts;
  texts.reserve(values.size());
  bool all_integers = true;
  for (std::optional<std::string>& value : values) {
    if (!value.has_value()) continue;
    if (value->empty() || value->size() > kMaxValueSize ||
        !IsSafeText(*value)) {
      return absl::InvalidArgumentError(
          StrCat("the sample holds '", Shown(*value),
                 "', which is not an integer or printable ASCII of 1..",
                 kMaxValueSize, " characters without a quote or backslash"));
    }
    all_integers = all_integers && IsInteger(*value);
    texts.push_back(*std::move(value));
  }
  if (texts.empty()) {
    return absl::InvalidArgumentError("the sample holds no values");
  }
  if (all_integers) {
    std::vector<int64_t> numbers;
    numbers.reserve(texts.size());
    for (const std::string& t : texts) {
      int64_t n = 0;
      std::from_chars(t.data(), t.data() + t.size(), n);
      numbers.push_back(n);
    }
    std::sort(numbers.begin(), numbers.end());
    numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
    texts.clear();
    for (int64_t n : numbers) texts.push_back(StrCat(n));
  } else {
    std::sort(texts.begin(), texts.end());
    texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
    for (std::string& t : texts) t = StrCat("'", t, "'");
  }
  ParamDomain d;
  d.size_ = static_cast<int64_t>(texts.size());
  d.literals_ = std::move(texts);
  return d;
}

void ParamDomain::Truncate(int64_t n) {
  if (n >= size_) return;
  size_ = std::max<int64_t>(n, 0);
  if (!literals_.empty()) literals_.resize(static_cast<size_t>(size_));
}

void ParamDomain::AppendLiteral(int64_t rank, std::string* sql) const {
  if (!literals_.empty()) {
    sql->append(literals_[static_cast<size_t>(rank - 1)]);
    return;
  }
  char digits[24];
  const auto [end, ec] =
      std::to_chars(digits, digits + sizeof(digits), lo_ + rank - 1);
  sql->append(digits, end);
}

}  // namespace dbcache::run
