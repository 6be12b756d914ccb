// The alert types of docs/ARCHITECTURE.md ("Alert types"): one row per type
// with the analysis type that produces it, its default severity, what its subject is, and the
// tag an open alert of that type puts on its subject entity.
//
// The table is static and immutable; every function here is thread-safe and
// allocation-free except AnalysisTypes() and AlertTypesOf().
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/finding.h"
#include "providers/coverage.h"

namespace vigil {

// Stable alert type names (they are keys in the database and in `--json`).
inline constexpr std::string_view kMfaUserNotRegistered = "mfa.user_not_registered";
inline constexpr std::string_view kMfaAdminNotRegistered = "mfa.admin_not_registered";
inline constexpr std::string_view kMfaNotEnforced = "mfa.not_enforced";
inline constexpr std::string_view kMfaUserNotEnforced = "mfa.user_not_enforced";
inline constexpr std::string_view kLicenseUnused = "license.unused";
inline constexpr std::string_view kLicenseOverassigned = "license.overassigned";
inline constexpr std::string_view kLicenseDisabledUser = "license.disabled_user";
inline constexpr std::string_view kStaleUser = "stale.user";
inline constexpr std::string_view kStaleGuest = "stale.guest";
inline constexpr std::string_view kPrivilegeGlobalAdminCount = "privilege.global_admin_count";
inline constexpr std::string_view kPrivilegeGuestAdmin = "privilege.guest_admin";
inline constexpr std::string_view kPrivilegeStaleAdmin = "privilege.stale_admin";
inline constexpr std::string_view kPolicyLegacyAuthNotBlocked = "policy.legacy_auth_not_blocked";

// Stable analysis type names, one per analyzer.
inline constexpr std::string_view kAnalysisMfa = "mfa";
inline constexpr std::string_view kAnalysisLicense = "license";
inline constexpr std::string_view kAnalysisStale = "stale";
inline constexpr std::string_view kAnalysisPrivilege = "privilege";
inline constexpr std::string_view kAnalysisPolicy = "policy";

// What the subject of an alert is.
enum class SubjectKind {
  kUser,    // subject = Graph object id, subject_name = UPN
  kSku,     // subject = skuId, subject_name = skuPartNumber
  kTenant,  // subject = subject_name = the tenant name
};
std::string_view SubjectKindName(SubjectKind kind);  // "user", "sku", "tenant"

struct AlertTypeInfo {
  std::string_view name;           // e.g. "mfa.user_not_registered"
  std::string_view analysis_type;  // e.g. "mfa"
  Severity severity;               // default severity of its findings
  SubjectKind subject_kind;
  // Tag an open alert of this type puts on its subject entity (user or SKU),
  // e.g. "mfa:missing". Empty for tenant-subject types (no entity to tag).
  std::string_view tag;
  std::string_view fires_when;  // one line for humans (help text, UI)
};

// The fact alert type `name` reads that some providers cannot give
// (providers/coverage.h), or nullopt when every provider gives what it
// reads. A finding of the type about a user or SKU of a data source with
// that gap is never produced, and a type whose gap every data source of the
// tenant has does not apply to it (analyzer_support.h AlertTypeEnabled).
std::optional<Gap> GapOfAlertType(std::string_view name);

// Every alert type, grouped by analysis type in AnalysisTypes() order.
std::span<const AlertTypeInfo> AllAlertTypes();

// The row of `name`, or nullptr when no alert type has that name.
const AlertTypeInfo* FindAlertType(std::string_view name);

// Whether `name` is an alert type (FindAlertType finds it); the check
// context/preferences.h applies to "disabled_alert_types".
bool IsAlertType(std::string_view name);

// The subject kind of alert type `name` as SubjectKindName gives it ("user",
// "sku", "tenant"), or "" when no alert type has that name; the check
// context/exclusions.h applies to an exclusion's alert type.
std::string_view SubjectKindOfAlertType(std::string_view name);

// The five analysis types in their fixed order:
// "mfa", "license", "stale", "privilege", "policy".
std::vector<std::string> AnalysisTypes();

// True when `name` is one of AnalysisTypes().
bool IsAnalysisType(std::string_view name);

// The analysis type that produces `alert_type` ("mfa" for
// "mfa.not_enforced"), or "" when the alert type is unknown.
std::string_view AnalysisTypeOf(std::string_view alert_type);

// The alert types produced by `analysis_type`, in table order; empty when
// the analysis type is unknown. A COMPLETE batch of that analysis type is the
// whole truth for exactly these alert types.
std::vector<const AlertTypeInfo*> AlertTypesOf(std::string_view analysis_type);

}  // namespace vigil
