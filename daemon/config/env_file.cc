#include "daemon/config/env_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

#include "daemon/common/str_cat.h"

namespace dbcache::config {
namespace {

// (Debian's Abseil has its own string_view; these take std's.)
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsName(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) {
    return false;
  }
  for (char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9');
    if (!alnum && c != '_') return false;
  }
  return true;
}

}  // namespace

std::string EnvFilePath(const Environment& process_env) {
  if (std::optional<std::string> path = process_env("DBCACHE_ENV_FILE")) {
    return *path;
  }
  if (std::optional<std::string> xdg = process_env("XDG_CONFIG_HOME");
      xdg.has_value() && !xdg->empty()) {
    return StrCat(*xdg, "/dbcache/env");
  }
  if (std::optional<std::string> home = process_env("HOME");
      home.has_value() && !home->empty()) {
    return StrCat(*home, "/.config/dbcache/env");
  }
  return "";
}

EnvFile ParseEnvFile(std::string_view text) {
  EnvFile file;
  int number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = Strip(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++number;
    if (line.empty() || line.front() == '#') continue;
    if (line.substr(0, 7) == "export ") line = Strip(line.substr(7));
    const size_t equals = line.find('=');
    const std::string_view name =
        equals == std::string_view::npos ? line : line.substr(0, equals);
    if (equals == std::string_view::npos || !IsName(name)) {
      file.problems.push_back(
          StrCat("line ", number, ": not NAME=value (ignored)"));
      continue;
    }
    std::string_view value = line.substr(equals + 1);
    std::string text;
    if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') &&
        value.back() == value.front()) {
      text = value.substr(1, value.size() - 2);
    } else {
      // Unquoted, a backslash keeps the next character (printf %q's escapes,
      // as local-stack.sh env writes a password with spaces).
      for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        text += value[i];
      }
    }
    file.values[std::string(name)] = std::move(text);
  }
  return file;
}

absl::StatusOr<EnvFile> ReadEnvFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    const int error = errno;
    if (error == ENOENT) return absl::NotFoundError(StrCat(path, ": no file"));
    return absl::UnavailableError(
        StrCat("cannot read ", path, ": ", std::strerror(error)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseEnvFile(text.str());
}

Environment EnvironmentWithUserFile(std::string_view program) {
  const Environment process = ProcessEnvironment();
  auto values =
      std::make_shared<std::map<std::string, std::string, std::less<>>>();
  const std::string path = EnvFilePath(process);
  if (!path.empty()) {
    absl::StatusOr<EnvFile> file = ReadEnvFile(path);
    if (file.ok()) {
      for (const std::string& problem : file->problems) {
        std::fprintf(stderr, "%s: %s %s\n", std::string(program).c_str(),
                     path.c_str(), problem.c_str());
      }
      *values = std::move(file->values);
    } else if (!absl::IsNotFound(file.status())) {
      std::fprintf(stderr, "%s: %s (settings file ignored)\n",
                   std::string(program).c_str(),
                   std::string(file.status().message()).c_str());
    }
  }
  // A setting may have several names (REDIS_MASTER_PORT, REDIS_PORT): the file
  // fills in only when the environment has none of them, so that an exported
  // REDIS_PORT beats the file's REDIS_MASTER_PORT.
  return
      [process, values](std::string_view name) -> std::optional<std::string> {
        if (std::optional<std::string> value = process(name)) return value;
        for (const SettingSpec& spec : SettingSpecs()) {
          bool named = false;
          for (std::string_view alias : spec.env) named |= alias == name;
          if (!named) continue;
          for (std::string_view alias : spec.env) {
            if (process(alias).has_value()) return std::nullopt;
          }
        }
        if (auto it = values->find(name); it != values->end())
          return it->second;
        return std::nullopt;
      };
}

}  // namespace dbcache::config
