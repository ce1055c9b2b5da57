#include "daemon/run/load/key_distribution.h"

#include <cmath>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "daemon/common/str_cat.h"

namespace dbcache::run {
namespace {

constexpr size_t kMaxFractionDigits = 3;

// The message says why, not what: the text can be any length and any bytes,
// and the caller, who knows how to show user text, puts it in front.
absl::Status Invalid(std::string_view why) {
  return absl::InvalidArgumentError(
      StrCat(why, " (forms: ", kKeyDistributionForms, ")"));
}

bool Digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// digits[.digits], no sign or exponent, so that the canonical text is exact.
bool ParseNumber(std::string_view s, double* out) {
  const size_t point = s.find('.');
  const std::string_view whole = s.substr(0, point);
  if (!Digits(whole)) return false;
  if (point != std::string_view::npos) {
    const std::string_view fraction = s.substr(point + 1);
    if (!Digits(fraction) || fraction.size() > kMaxFractionDigits) return false;
  }
  return absl::SimpleAtod(absl::string_view(s.data(), s.size()), out) &&
         std::isfinite(*out);
}

std::vector<std::string_view> SplitColons(std::string_view text) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t colon = text.find(':');
    parts.push_back(text.substr(0, colon));
    if (colon == std::string_view::npos) return parts;
    text.remove_prefix(colon + 1);
  }
}

// The shortest text of a number with at most 3 decimals: 1.1, not 1.100.
std::string NumberText(double value) {
  std::string text = absl::StrFormat("%.3f", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

absl::StatusOr<KeyDistribution> ParseKeyDistribution(std::string_view text) {
  KeyDistribution d;
  if (text == "uniform") return d;
  if (text == "sequential") {
    d.kind = KeyDistribution::Kind::kSequential;
    return d;
  }
  const std::vector<std::string_view> parts = SplitColons(text);
  if (parts[0] == "zipf") {
    if (parts.size() != 2) return Invalid("takes one exponent: zipf:S");
    if (!ParseNumber(parts[1], &d.exponent)) {
      return Invalid("has an exponent that is not a decimal number");
    }
    if (!(d.exponent > 0 && d.exponent <= 5)) {
      return Invalid("has an exponent outside (0, 5]");
    }
    d.kind = KeyDistribution::Kind::kZipf;
    return d;
  }
  if (parts[0] == "hotspot") {
    if (parts.size() != 3) {
      return Invalid(
          "takes two percentages: hotspot:P:Q sends P% of "
          "requests to Q% of keys");
    }
    if (!ParseNumber(parts[1], &d.hot_requests_pct) ||
        !ParseNumber(parts[2], &d.hot_keys_pct)) {
      return Invalid("has a percentage that is not a decimal number");
    }
    if (!(d.hot_requests_pct > 0 && d.hot_requests_pct <= 100 &&
          d.hot_keys_pct > 0 && d.hot_keys_pct <= 100)) {
      return Invalid("has a percentage outside (0, 100]");
    }
    d.kind = KeyDistribution::Kind::kHotspot;
    return d;
  }
  return Invalid("is not a distribution");
}

std::string KeyDistributionName(const KeyDistribution& d) {
  switch (d.kind) {
    case KeyDistribution::Kind::kUniform:
      return "uniform";
    case KeyDistribution::Kind::kSequential:
      return "sequential";
    case KeyDistribution::Kind::kZipf:
      return StrCat("zipf:", NumberText(d.exponent));
    case KeyDistribution::Kind::kHotspot:
      return StrCat("hotspot:", NumberText(d.hot_requests_pct), ":",
                    NumberText(d.hot_keys_pct));
  }
  return "uniform";
}

}  // namespace dbcache::run
