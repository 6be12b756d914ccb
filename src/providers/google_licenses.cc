#include "providers/google_licenses.h"

#include <algorithm>
#include <string>

namespace vigil {
namespace {

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

size_t GoogleLicenseIndex::Hash::operator()(std::string_view s) const {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a over the lower-cased bytes
  for (char c : s) h = (h ^ static_cast<unsigned char>(LowerAscii(c))) * 1099511628211ULL;
  return static_cast<size_t>(h);
}

bool GoogleLicenseIndex::Equal::operator()(std::string_view a, std::string_view b) const {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

GoogleLicenseIndex::GoogleLicenseIndex(const std::vector<GoogleLicenseAssignment>& assignments) {
  // Few distinct SKUs, many assignments: an index by id, sorted at the end.
  std::unordered_map<std::string_view, size_t> sku_of;
  skus_of_.reserve(assignments.size());
  for (const GoogleLicenseAssignment& a : assignments) {
    auto [it, added] = sku_of.emplace(a.sku_id, skus_.size());
    if (added) skus_.push_back(SkuRecord{a.sku_id, "", 0, 0});
    SkuRecord& sku = skus_[it->second];
    if (sku.part_number.empty() && !a.sku_name.empty()) sku.part_number = a.sku_name;
    ++sku.consumed_units;
    skus_of_[a.user_email].push_back(a.sku_id);
  }
  for (SkuRecord& sku : skus_) {
    if (sku.part_number.empty()) sku.part_number = sku.id;
  }
  std::sort(skus_.begin(), skus_.end(),
            [](const SkuRecord& a, const SkuRecord& b) { return a.id < b.id; });
}

void GoogleLicenseIndex::ApplyTo(std::vector<UserRecord>* users) const {
  for (UserRecord& u : *users) {
    u.sku_ids.clear();
    auto it = skus_of_.find(u.upn);
    if (it == skus_of_.end()) continue;
    u.sku_ids.assign(it->second.begin(), it->second.end());
    if (u.sku_ids.size() < 2) continue;
    std::sort(u.sku_ids.begin(), u.sku_ids.end());
    u.sku_ids.erase(std::unique(u.sku_ids.begin(), u.sku_ids.end()), u.sku_ids.end());
  }
}

}  // namespace vigil
