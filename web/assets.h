#ifndef DBCACHE_WEB_ASSETS_H_
#define DBCACHE_WEB_ASSETS_H_

#include <span>
#include <string_view>

namespace dbcache::web {

// A file served by dbcache-web, compiled into the binary at build time (see
// web/embed_assets.cmake) so that the page works with no files on disk and no
// internet.
//
//   for (const EmbeddedAsset& asset : EmbeddedAssets()) {
//     if (asset.path == "/app.js") Send(asset.content_type, asset.body);
//   }
struct EmbeddedAsset {
  std::string_view path;          // URL path, e.g. "/app.js".
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8".
  std::string_view body;
};

// Every embedded asset; defined in the generated web_assets.cc.
std::span<const EmbeddedAsset> EmbeddedAssets();

}  // namespace dbcache::web

#endif  // DBCACHE_WEB_ASSETS_H_
