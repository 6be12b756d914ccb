#include "context/data_context.h"

#include <algorithm>

namespace vigil {
namespace {

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<std::string_view> DataContext::SourceGap(uint32_t source, Gap gap) const {
  if (source >= sources.size()) return std::nullopt;
  return GapReason(sources[source].provider, gap);
}

bool DataContext::UserLacks(uint32_t u, Gap gap) const {
  return u < user_source.size() && SourceGap(user_source[u], gap).has_value();
}

bool DataContext::SkuLacks(uint32_t s, Gap gap) const {
  return s < sku_source.size() && SourceGap(sku_source[s], gap).has_value();
}

bool DataContext::AllSourcesLack(Gap gap) const {
  if (sources.empty()) return false;
  for (uint32_t i = 0; i < sources.size(); ++i) {
    if (!SourceGap(i, gap)) return false;
  }
  return true;
}

void DataContext::LinkPersons() {
  user_person.resize(users.size());
  for (uint32_t u = 0; u < users.size(); ++u) user_person[u] = u;
  if (sources.size() < 2 || user_source.size() != users.size()) return;
  // Per address, the account of the lowest data source (then the first).
  std::unordered_map<std::string, uint32_t> named_by;
  named_by.reserve(users.size());
  for (uint32_t u = 0; u < users.size(); ++u) {
    if (users[u].upn.empty()) continue;
    auto [it, added] = named_by.emplace(LowerAscii(users[u].upn), u);
    if (!added && user_source[u] < user_source[it->second]) it->second = u;
  }
  for (uint32_t u = 0; u < users.size(); ++u) {
    if (users[u].upn.empty()) continue;
    const uint32_t named = named_by[LowerAscii(users[u].upn)];
    if (user_source[named] != user_source[u]) user_person[u] = named;
  }
}

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
