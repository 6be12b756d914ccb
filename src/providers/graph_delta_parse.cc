#include "providers/graph_delta_parse.h"

#include <string>
#include <utility>

namespace vigil {

Status ParseUserDelta(std::string_view file_name, const simdjson::padded_string& body,
                      std::vector<UserDeltaEntry>* out, const GraphParseOptions& options) {
  // The users first: that validates the document, the entries' types and
  // their ids with ParseUsers' messages; then a second, cheap look for
  // "@removed" (delta pages are small).
  std::vector<UserRecord> users;
  VIGIL_RETURN_IF_ERROR(ParseUsers(file_name, body, &users, options));

  namespace dom = simdjson::dom;
  thread_local dom::parser parser;
  dom::element root;
  if (auto e = parser.parse(body).get(root); e) {
    return Status::InvalidArgument(std::string(file_name) +
                                   ": malformed JSON: " + simdjson::error_message(e));
  }
  dom::array value;
  if (root["value"].get_array().get(value)) {
    return Status::InvalidArgument(std::string(file_name) + ": \"value\" must be an array");
  }
  if (value.size() != users.size()) {
    return Status::Internal(std::string(file_name) + ": delta entries and users differ in number");
  }
  out->clear();
  out->reserve(users.size());
  size_t index = 0;
  for (dom::element entry : value) {
    UserDeltaEntry delta;
    delta.user = std::move(users[index]);
    dom::element removed;
    if (!entry["@removed"].get(removed) && !removed.is_null()) {
      if (!removed.is_object()) {
        return Status::InvalidArgument(std::string(file_name) + ": value[" + std::to_string(index) +
                                       "].@removed: expected object");
      }
      delta.removed = true;
    }
    out->push_back(std::move(delta));
    ++index;
  }
  return Status::Ok();
}

}  // namespace vigil
