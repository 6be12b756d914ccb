#include "providers/group_members.h"

#include "common/json_text.h"

namespace vigil {
namespace {

bool Unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

}  // namespace

Status CheckGroupIdNamesAFile(std::string_view group_id) {
  bool ok = !group_id.empty() && group_id.front() != '.';
  for (char c : group_id) ok = ok && c != '~' && Unreserved(c);
  if (ok) return Status::Ok();
  return Status::InvalidArgument("group id " + JsonQuote(group_id) + " cannot name a file of " +
                                 std::string(kGroupMembersDir) + "/");
}

std::string GroupMembersFile(std::string_view group_id) {
  std::string file(kGroupMembersDir);
  file.append("/").append(group_id).append(".json");
  return file;
}

std::string GroupMembersRequest(std::string_view group_id) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string path = "/groups/";
  for (char c : group_id) {
    if (Unreserved(c)) {
      path.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      path.push_back('%');
      path.push_back(kHex[byte >> 4]);
      path.push_back(kHex[byte & 0xf]);
    }
  }
  return path + "/members?$select=id&$top=999";
}

}  // namespace vigil
