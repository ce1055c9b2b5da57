// systemd/dbcache.env.example against SettingSpecs(): every setting is
// documented with its flag, all its environment names in order, its default and
// whether it is a secret; what the example sets is valid as shipped.

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/settings.h"
#include "gtest/gtest.h"

namespace dbcache::config {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string ReadExample() {
  std::ifstream in(DBCACHE_ENV_EXAMPLE);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The comment block that documents `--flag`: from its "# --flag:" line to the
// next blank line.
std::optional<std::string> Block(const std::string& text,
                                 std::string_view flag) {
  const std::string head = "# --" + std::string(flag) + ":";
  const size_t start = text.find("\n" + head);
  if (start == std::string::npos) return std::nullopt;
  const size_t end = text.find("\n\n", start + 1);
  return text.substr(start + 1, end == std::string::npos ? std::string::npos
                                                         : end - start - 1);
}

// NAME=value lines that are not commented out, quotes removed as systemd does.
std::map<std::string, std::string, std::less<>> Assignments(
    const std::string& text) {
  std::map<std::string, std::string, std::less<>> out;
  for (const std::string& line : Lines(text)) {
    if (line.empty() || line.front() == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value(line.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    out[std::string(line.substr(0, eq))] = value;
  }
  return out;
}

TEST(EnvExampleTest, DocumentsEverySetting) {
  const std::string text = ReadExample();
  ASSERT_FALSE(text.empty()) << "cannot read " << DBCACHE_ENV_EXAMPLE;
  for (const SettingSpec& spec : SettingSpecs()) {
    SCOPED_TRACE(std::string(spec.flag));
    std::optional<std::string> block = Block(text, spec.flag);
    ASSERT_TRUE(block.has_value())
        << "no '# --" << spec.flag << ":' block in the example";
    std::string names = "# Names: ";
    for (size_t i = 0; i < spec.env.size(); ++i) {
      names += (i == 0 ? "" : ", ") + std::string(spec.env[i]);
    }
    names += ".";
    EXPECT_TRUE(Contains(*block, names)) << "expected '" << names << "' in:\n"
                                         << *block;
    if (!spec.default_value.empty()) {
      EXPECT_TRUE(
          Contains(*block, "Default: " + std::string(spec.default_value)))
          << *block;
    }
    EXPECT_EQ(Contains(*block, "# SECRET."), spec.secret) << *block;
    // Each name appears as an assignment, set or commented out.
    for (std::string_view name : spec.env) {
      if (name != spec.env.front()) continue;  // The clearer name suffices.
      EXPECT_TRUE(Contains(text, "\n" + std::string(name) + "=") ||
                  Contains(text, "\n#" + std::string(name) + "="))
          << "no " << name << "= line";
    }
  }
}

TEST(EnvExampleTest, NamesNoUnknownSetting) {
  const std::string text = ReadExample();
  std::vector<std::string_view> known;
  for (const SettingSpec& spec : SettingSpecs()) {
    for (std::string_view name : spec.env) known.push_back(name);
  }
  for (const std::string& line : Lines(text)) {
    // Assignments, set or commented out.
    std::string_view body = line;
    if (body.starts_with("#")) body.remove_prefix(1);
    const size_t eq = body.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    const std::string_view name = body.substr(0, eq);
    if (name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
        std::string_view::npos) {
      continue;  // Prose, not an assignment.
    }
    EXPECT_NE(std::find(known.begin(), known.end(), name), known.end())
        << "the example sets " << name << ", which no setting reads";
  }
}

TEST(EnvExampleTest, SaysTheFileModeAndPlace) {
  const std::string text = ReadExample();
  EXPECT_TRUE(Contains(text, "/etc/dbcache/dbcache.env"));
  EXPECT_TRUE(Contains(text, "mode 0600"));
  EXPECT_TRUE(Contains(text, "root:root"));
}

TEST(EnvExampleTest, WhatItSetsIsValidAsShipped) {
  const auto assignments = Assignments(ReadExample());
  ASSERT_FALSE(assignments.empty());
  absl::StatusOr<Settings> settings =
      Resolve({}, [&](std::string_view name) -> std::optional<std::string> {
        auto it = assignments.find(name);
        if (it == assignments.end()) return std::nullopt;
        return it->second;
      });
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_NE(settings->redis_primary.host, settings->redis_reader.host)
      << "the example should show separate primary and reader endpoints";
}

}  // namespace
}  // namespace dbcache::config
