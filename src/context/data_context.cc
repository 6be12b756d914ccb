#include "context/data_context.h"

namespace vigil {

std::string DataContext::MissingReason(EntityKind kind) const {
  auto it = availability.find(kind);
  if (it == availability.end()) {
    return std::string(KindName(kind)) + " data has never been synced";
  }
  return it->second.available ? "" : it->second.reason;
}

void DataContext::BuildIndexes(const std::vector<std::pair<std::string, std::string>>& role_links) {
  IndexRecords();
  BuildAdjacency(role_links);
}

void DataContext::IndexRecords() {
  user_index.clear();
  sku_index.clear();
  role_index.clear();
  user_index.reserve(users.size());
  for (uint32_t i = 0; i < users.size(); ++i) user_index.emplace(users[i].id, i);
  for (uint32_t i = 0; i < skus.size(); ++i) sku_index.emplace(skus[i].id, i);
  for (uint32_t i = 0; i < roles.size(); ++i) role_index.emplace(roles[i].id, i);
}

void DataContext::BuildAdjacency(
    const std::vector<std::pair<std::string, std::string>>& role_links) {
  user_skus.assign(users.size(), {});
  for (uint32_t u = 0; u < users.size(); ++u) {
    for (const std::string& sku_id : users[u].sku_ids) {
      auto it = sku_index.find(sku_id);
      if (it != sku_index.end()) user_skus[u].push_back(it->second);
    }
  }
  user_roles.assign(users.size(), {});
  for (const auto& [user_id, role_id] : role_links) {
    auto u = user_index.find(user_id);
    auto r = role_index.find(role_id);
    if (u != user_index.end() && r != role_index.end()) user_roles[u->second].push_back(r->second);
  }
  user_registration.assign(users.size(), -1);
  for (uint32_t i = 0; i < registrations.size(); ++i) {
    auto u = user_index.find(registrations[i].user_id);
    if (u != user_index.end()) user_registration[u->second] = static_cast<int32_t>(i);
  }
}

}  // namespace vigil
