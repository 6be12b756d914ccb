#include "analysis/alert_types.h"

#include <array>

namespace vigil {
namespace {

constexpr std::array<AlertTypeInfo, 13> kAlertTypes = {{
    {kMfaUserNotRegistered, kAnalysisMfa, Severity::kMedium, SubjectKind::kUser, "mfa:missing",
     "enabled member user without MFA registered"},
    {kMfaAdminNotRegistered, kAnalysisMfa, Severity::kCritical, SubjectKind::kUser, "mfa:missing",
     "enabled user holding a directory role without MFA registered"},
    {kMfaNotEnforced, kAnalysisMfa, Severity::kHigh, SubjectKind::kTenant, "",
     "security defaults off and no enabled CA policy requiring MFA for all users"},
    {kMfaUserNotEnforced, kAnalysisMfa, Severity::kMedium, SubjectKind::kUser, "mfa:not_enforced",
     "enabled user whose own account does not enforce MFA (where a provider enforces it per "
     "user)"},
    {kLicenseUnused, kAnalysisLicense, Severity::kLow, SubjectKind::kSku, "license:unused",
     "purchased licenses of a SKU are not assigned"},
    {kLicenseOverassigned, kAnalysisLicense, Severity::kMedium, SubjectKind::kSku,
     "license:overassigned", "more licenses of a SKU are consumed than purchased"},
    {kLicenseDisabledUser, kAnalysisLicense, Severity::kLow, SubjectKind::kSku,
     "license:disabled_user", "licenses of a SKU are held by disabled users"},
    {kStaleUser, kAnalysisStale, Severity::kLow, SubjectKind::kUser, "stale",
     "enabled member that has not signed in for the stale period"},
    {kStaleGuest, kAnalysisStale, Severity::kLow, SubjectKind::kUser, "stale",
     "enabled guest that has not signed in for the stale period"},
    {kPrivilegeGlobalAdminCount, kAnalysisPrivilege, Severity::kMedium, SubjectKind::kTenant, "",
     "enabled Global Administrators fewer or more than the preferred range"},
    {kPrivilegeGuestAdmin, kAnalysisPrivilege, Severity::kHigh, SubjectKind::kUser,
     "privilege:guest_admin", "a guest holds a directory role"},
    {kPrivilegeStaleAdmin, kAnalysisPrivilege, Severity::kHigh, SubjectKind::kUser,
     "privilege:stale_admin", "a disabled or stale user still holds a directory role"},
    {kPolicyLegacyAuthNotBlocked, kAnalysisPolicy, Severity::kHigh, SubjectKind::kTenant, "",
     "no enabled CA policy blocks legacy authentication (exchangeActiveSync and other)"},
}};

constexpr std::array<std::string_view, 5> kAnalysisTypes = {
    kAnalysisMfa, kAnalysisLicense, kAnalysisStale, kAnalysisPrivilege, kAnalysisPolicy};

}  // namespace

std::string_view SubjectKindName(SubjectKind kind) {
  switch (kind) {
    case SubjectKind::kUser:
      return "user";
    case SubjectKind::kSku:
      return "sku";
    case SubjectKind::kTenant:
      return "tenant";
  }
  return "tenant";
}

std::optional<Gap> GapOfAlertType(std::string_view name) {
  if (name == kLicenseUnused || name == kLicenseOverassigned) return Gap::kSeatTotals;
  if (name == kPrivilegeGuestAdmin || name == kStaleGuest) return Gap::kGuestAccounts;
  if (name == kMfaNotEnforced || name == kPolicyLegacyAuthNotBlocked) return Gap::kAccessPolicies;
  if (name == kMfaUserNotEnforced) return Gap::kPerUserMfaEnforcement;
  return std::nullopt;
}

std::span<const AlertTypeInfo> AllAlertTypes() { return kAlertTypes; }

const AlertTypeInfo* FindAlertType(std::string_view name) {
  for (const AlertTypeInfo& info : kAlertTypes) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

bool IsAlertType(std::string_view name) { return FindAlertType(name) != nullptr; }

std::string_view SubjectKindOfAlertType(std::string_view name) {
  const AlertTypeInfo* info = FindAlertType(name);
  return info == nullptr ? std::string_view() : SubjectKindName(info->subject_kind);
}

std::vector<std::string> AnalysisTypes() {
  return std::vector<std::string>(kAnalysisTypes.begin(), kAnalysisTypes.end());
}

bool IsAnalysisType(std::string_view name) {
  for (std::string_view type : kAnalysisTypes) {
    if (type == name) return true;
  }
  return false;
}

std::string_view AnalysisTypeOf(std::string_view alert_type) {
  const AlertTypeInfo* info = FindAlertType(alert_type);
  return info == nullptr ? std::string_view() : info->analysis_type;
}

std::vector<const AlertTypeInfo*> AlertTypesOf(std::string_view analysis_type) {
  std::vector<const AlertTypeInfo*> out;
  for (const AlertTypeInfo& info : kAlertTypes) {
    if (info.analysis_type == analysis_type) out.push_back(&info);
  }
  return out;
}

}  // namespace vigil
