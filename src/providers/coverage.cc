#include "providers/coverage.h"

#include <array>

#include "providers/google_kinds.h"

namespace vigil {
namespace {

constexpr std::string_view kNoPerUserEnforcement =
    "Microsoft 365 enforces MFA for the tenant (security defaults, conditional access), "
    "not per user";

constexpr std::array<ProviderGap, 1> kMicrosoftGaps = {{
    {Gap::kPerUserMfaEnforcement, kNoPerUserEnforcement},
}};

constexpr std::array<ProviderGap, 4> kGoogleGaps = {{
    {Gap::kSeatTotals, "Google Workspace's License Manager lists assignments, not seats bought"},
    {Gap::kGuestAccounts, "Google Workspace has no guest accounts"},
    {Gap::kAccessPolicies, "Google Workspace has no conditional access policies or security defaults"},
    {Gap::kMfaMethods, "Google Workspace says whether a user enrolled in 2-Step Verification, "
                       "not with which methods"},
}};

bool IsGoogle(std::string_view provider) {
  return provider == "google_workspace" || provider == "google_json";
}

bool IsMicrosoft(std::string_view provider) {
  return provider == "microsoft365" || provider == "graph_json" || provider == "synthetic";
}

}  // namespace

std::span<const ProviderGap> GapsOf(std::string_view provider) {
  if (IsGoogle(provider)) return kGoogleGaps;
  if (IsMicrosoft(provider)) return kMicrosoftGaps;
  return {};
}

std::optional<std::string_view> GapReason(std::string_view provider, Gap gap) {
  for (const ProviderGap& g : GapsOf(provider)) {
    if (g.gap == gap) return g.reason;
  }
  return std::nullopt;
}

bool KindAbsentFrom(std::string_view provider, EntityKind kind) {
  return IsGoogle(provider) && !GoogleAbsentKindReason(kind).empty();
}

}  // namespace vigil
