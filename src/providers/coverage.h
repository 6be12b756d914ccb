// Coverage: what a provider's data cannot tell, whatever the permissions it
// was given. A gap is a fact of the provider's platform (Google Workspace
// has no guest accounts; Microsoft 365 does not enforce MFA per user), not
// a failure: the analysis names it ("not available for data source ...,
// with the reason") rather than reading it as "nothing found", and never
// holds a tenant's other data hostage to it.
//
// The table is the one place that knows which provider lacks what; the
// analyzers see only gaps, never provider names.
// Thread-safe: static, immutable data.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "providers/records.h"

namespace vigil {

enum class Gap {
  kSeatTotals,             // how many licenses of a SKU were bought
  kGuestAccounts,          // external users invited into the directory
  kAccessPolicies,         // conditional access policies and security defaults
  kPerUserMfaEnforcement,  // whether MFA is enforced on each account
  kMfaMethods,             // which second factors a user registered
};

struct ProviderGap {
  Gap gap;
  std::string_view reason;  // e.g. "Google Workspace has no guest accounts"
};

// The gaps of provider `provider` ("microsoft365", "google_workspace", ...);
// empty for a provider the table does not know (tests' fakes).
std::span<const ProviderGap> GapsOf(std::string_view provider);

// The reason `provider` lacks `gap`, or nullopt when it does not.
std::optional<std::string_view> GapReason(std::string_view provider, Gap gap);

// Whether `provider` never has data of `kind` at all (Google Workspace:
// policies, security defaults, groups): its data source's availability
// entry for the kind is a gap, so the kind's availability for the tenant
// comes from its other data sources alone.
bool KindAbsentFrom(std::string_view provider, EntityKind kind);

}  // namespace vigil
