#include "web/json_util.h"

namespace dbcache::web {

std::string ErrorBody(std::string_view message, std::string_view field) {
  nlohmann::ordered_json body = {{"error", message}};
  if (!field.empty()) body["field"] = field;
  return DumpJson(body);
}

}  // namespace dbcache::web
