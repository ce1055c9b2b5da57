#include "web/http/http_message.h"

#include "absl/strings/match.h"

namespace dbcache::web::http {
namespace {

const Header* Find(const std::vector<Header>& headers, std::string_view name) {
  for (const Header& header : headers) {
    if (HeaderNameEquals(header.name, name)) return &header;
  }
  return nullptr;
}

}  // namespace

bool HeaderNameEquals(std::string_view a, std::string_view b) {
  // Debian's Abseil has an absl::string_view of its own.
  return absl::EqualsIgnoreCase(absl::string_view(a.data(), a.size()),
                                absl::string_view(b.data(), b.size()));
}

std::string_view HttpRequest::HeaderValue(std::string_view name) const {
  const Header* header = Find(headers, name);
  return header == nullptr ? std::string_view() : header->value;
}

bool HttpRequest::HasHeader(std::string_view name) const {
  return Find(headers, name) != nullptr;
}

void HttpResponse::SetHeader(std::string_view name, std::string value) {
  for (Header& header : headers) {
    if (HeaderNameEquals(header.name, name)) {
      header.value = std::move(value);
      return;
    }
  }
  headers.push_back(Header{std::string(name), std::move(value)});
}

void HttpResponse::SetBody(std::string content, std::string_view content_type) {
  body = std::move(content);
  static_body = {};
  SetHeader("Content-Type", std::string(content_type));
}

void HttpResponse::SetStaticBody(std::string_view content,
                                 std::string_view content_type) {
  body.clear();
  static_body = content;
  SetHeader("Content-Type", std::string(content_type));
}

std::string_view HttpResponse::HeaderValue(std::string_view name) const {
  const Header* header = Find(headers, name);
  return header == nullptr ? std::string_view() : header->value;
}

}  // namespace dbcache::web::http
