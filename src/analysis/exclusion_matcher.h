// ExclusionMatcher: which of a tenant's exclusions (context/exclusions.h), if
// any, drops a finding. The UnifiedAnalyzer asks it for every finding of a
// COMPLETE batch (docs/ARCHITECTURE.md, "Exclusions").
//
// An exclusion matches a finding when it covers the finding's alert type
// (ExclusionCovers: "*" or that type, never privilege.*) and its subject:
//   user   the finding is about a user (its alert type's subject kind) whose
//          object id, or UPN, equals the value without regard to case; the
//          UPN is the user's record's, or the finding's subject_name when
//          the context does not hold the user;
//   group  the finding is about a user whose object id is among the
//          member_ids of the group whose object id equals the value (without
//          case); a group the context does not hold, or one whose provider
//          gave no members, matches nobody;
//   sku    the finding is about a SKU whose part number (the finding's
//          subject_name) equals the value exactly. Findings about the users
//          who hold the SKU are not matched.
// Tenant-wide findings are never matched. When several exclusions match,
// the first of ctx.exclusions (id order) is the one named.
//
// Borrows the context, which must outlive it. Match is const and
// thread-safe.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "analysis/finding.h"
#include "context/data_context.h"

namespace vigil {

class ExclusionMatcher {
 public:
  explicit ExclusionMatcher(const DataContext& ctx);

  // The exclusion that drops `finding`, or nullptr when none does.
  const Exclusion* Match(const Finding& finding) const;

 private:
  struct Entry {
    const Exclusion* exclusion;
    std::string value;                        // user: the value in lower case
    std::unordered_set<std::string> members;  // group: lower-case member object ids
  };

  const DataContext& ctx_;
  std::vector<Entry> entries_;
};

}  // namespace vigil
