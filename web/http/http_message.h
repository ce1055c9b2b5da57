#ifndef DBCACHE_WEB_HTTP_HTTP_MESSAGE_H_
#define DBCACHE_WEB_HTTP_HTTP_MESSAGE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dbcache::web::http {

// One header line. Names compare case-insensitively (RFC 9110).
struct Header {
  std::string name;
  std::string value;
};

// A parsed HTTP request as handlers see it, independent of the library that
// read it off the socket.
//
//   if (request.method == "POST" && request.path == "/api/runs") {
//     Parse(request.HeaderValue("Content-Type"), request.body);
//   }
struct HttpRequest {
  std::string method;  // "GET", "POST", ...; HEAD stays "HEAD".
  std::string path;    // Percent-decoded, without the query.
  std::string target;  // As sent, for logs: "/api/stats?x=1".
  std::vector<Header> headers;
  std::string body;
  std::string remote_addr;

  // The first header named `name`, or "" when there is none.
  std::string_view HeaderValue(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

// What a handler answers. The server adds Content-Length, Date and the
// server-wide headers; a HEAD or 304 answer goes out without its body.
//
//   response.status = 200;
//   response.SetHeader("Cache-Control", "no-store");
//   response.SetBody(json, "application/json");
struct HttpResponse {
  int status = 200;
  std::vector<Header> headers;
  // Either an owned body or a view of bytes that outlive the server (the
  // embedded assets, sent without a copy).
  std::string body;
  std::string_view static_body;

  // Replaces any header of the same name.
  void SetHeader(std::string_view name, std::string value);
  void SetBody(std::string content, std::string_view content_type);
  void SetStaticBody(std::string_view content, std::string_view content_type);
  std::string_view HeaderValue(std::string_view name) const;
  std::string_view Body() const {
    return static_body.empty() ? std::string_view(body) : static_body;
  }
};

// Case-insensitive ASCII comparison of header names.
bool HeaderNameEquals(std::string_view a, std::string_view b);

}  // namespace dbcache::web::http

#endif  // DBCACHE_WEB_HTTP_HTTP_MESSAGE_H_
