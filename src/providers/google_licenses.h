// The License Manager's assignments indexed for joining to users
// (ApplyGoogleLicenses of google_parse.h is built on it). The index is made
// without the users, so the google_json provider builds it on its second
// thread while users.json is still being parsed, and only the join itself
// waits for the users.
#pragma once

#include <string_view>
#include <unordered_map>
#include <vector>

#include "providers/google_parse.h"
#include "providers/records.h"

namespace vigil {

class GoogleLicenseIndex {
 public:
  // Refers to `assignments`, which must outlive the index.
  explicit GoogleLicenseIndex(const std::vector<GoogleLicenseAssignment>& assignments);

  // One SkuRecord per distinct skuId, sorted by id, as ApplyGoogleLicenses
  // documents (part_number = skuName or the skuId, consumed_units = the
  // number of its assignments, enabled_units = 0).
  const std::vector<SkuRecord>& skus() const { return skus_; }

  // Each user's sku_ids become the skuIds assigned to its primary email
  // (without regard to ASCII case), sorted and unique; none when it has no
  // assignment.
  void ApplyTo(std::vector<UserRecord>* users) const;

 private:
  struct Hash {
    size_t operator()(std::string_view s) const;
  };
  struct Equal {
    bool operator()(std::string_view a, std::string_view b) const;
  };
  std::unordered_map<std::string_view, std::vector<std::string_view>, Hash, Equal> skus_of_;
  std::vector<SkuRecord> skus_;
};

}  // namespace vigil
