#ifndef DBCACHE_DAEMON_MYSQL_TLS_MODE_H_
#define DBCACHE_DAEMON_MYSQL_TLS_MODE_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace dbcache::mysql {

// How a MySQL connection uses TLS, named as MySQL's own --ssl-mode names them.
// Without Connector/C's headers, so that the settings can parse it.
//
//   std::optional<TlsMode> mode = ParseTlsMode("verify_identity");
//   TlsOptions tls{.mode = *mode, .ca = "/etc/ssl/rds/global-bundle.pem"};
// Ordered from none to most: TlsRequired and the settings' checks compare.
enum class TlsMode {
  kDisabled,        // never
  kPreferred,       // when the server offers it; its certificate unchecked
  kRequired,        // always; its certificate unchecked
  kVerifyCa,        // always; the certificate signed by the CA bundle
  kVerifyIdentity,  // and issued to the host connected to
};

inline constexpr std::array<std::pair<std::string_view, TlsMode>, 5> kTlsModes =
    {{{"disabled", TlsMode::kDisabled},
      {"preferred", TlsMode::kPreferred},
      {"required", TlsMode::kRequired},
      {"verify_ca", TlsMode::kVerifyCa},
      {"verify_identity", TlsMode::kVerifyIdentity}}};

// Lower case, as listed; MySQL's own spelling (REQUIRED) too.
inline std::optional<TlsMode> ParseTlsMode(std::string_view text) {
  for (const auto& [name, mode] : kTlsModes) {
    if (name.size() != text.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      const char c = text[i];
      same = name[i] == (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (same) return mode;
  }
  return std::nullopt;
}

inline std::string_view TlsModeName(TlsMode mode) {
  for (const auto& [name, m] : kTlsModes) {
    if (m == mode) return name;
  }
  return "?";
}

// Whether a connection without TLS must be refused.
inline bool TlsRequired(TlsMode mode) { return mode >= TlsMode::kRequired; }

struct TlsOptions {
  TlsMode mode = TlsMode::kPreferred;
  std::string ca;  // PEM bundle; verify_ca and verify_identity only
};

}  // namespace dbcache::mysql

#endif  // DBCACHE_DAEMON_MYSQL_TLS_MODE_H_
