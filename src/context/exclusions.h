// A tenant's exclusions: its decisions that a subject is not a finding,
// for one alert type or for all of them, each with a reason and who made it
// (docs/ARCHITECTURE.md, "Exclusions"). Break-glass accounts are the usual
// case. This is the one place that checks, stores and reads them (table
// `exclusions`, migration 16); the loader puts a tenant's into its
// DataContext and the UnifiedAnalyzer drops the findings they match
// (analysis/exclusion_matcher.h).
//
// An exclusion names its subject by kind:
//   user   the user whose object id or UPN is `value` (both compare without
//          case: the value is stored in lower case)
//   group  the users who are members of the group whose object id is
//          `value` (stored in lower case)
//   sku    the SKU whose part number is `value` (exactly, as Graph gives
//          it): findings about the SKU itself (license.*), not about the
//          users who hold it
// and covers one alert type, or every alert type ("*"). Alert types of the
// privilege analysis (privilege.*) are never excluded: an exclusion for one
// is refused, and "*" does not cover them.
//
// The same (tenant, kind, value, alert type) is stored once: adding it again
// is refused (AlreadyExists), so a second reason never silently replaces the
// first; remove the exclusion and add it anew to change it.
//
// Thread safety: the functions taking a Db are as the Db's (one thread at a
// time per connection); the others are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

// The alert type of an exclusion that covers every type but privilege.*.
inline constexpr std::string_view kEveryAlertType = "*";

// Limits on what an exclusion holds.
inline constexpr size_t kMaxExclusionValue = 256;
inline constexpr size_t kMaxExclusionReason = 500;

struct Exclusion {
  int64_t id = 0;
  std::string kind;        // "user", "group" or "sku"
  std::string value;       // as stored (see above)
  std::string alert_type;  // one alert type, or "*"
  std::string reason;
  std::string added_by;  // who added it: a person (CLI --by) or an API token's name
  TimeMs added_at = 0;
};

// What a new exclusion says; AddExclusion checks it.
struct ExclusionInput {
  std::string kind;
  std::string value;
  std::string alert_type = std::string(kEveryAlertType);
  std::string reason;
  std::string added_by;
};

// The subject kind of alert type `name` ("user", "sku" or "tenant"), or ""
// when no alert type has that name (analysis/alert_types.h
// SubjectKindOfAlertType: the table sits above this library, so callers
// pass it in).
using SubjectKindFn = std::string_view (*)(std::string_view name);

// OK when `input` may be stored. InvalidArgument otherwise, saying what is
// wrong: a kind other than user, group, sku; an empty value, one with white
// space or longer than kMaxExclusionValue; an empty (or blank) reason or one
// longer than kMaxExclusionReason; no added_by; an alert type that is
// neither "*" nor known to `subject_kind_of`; a privilege.* alert type
// ("privilege alerts cannot be excluded"); an alert type whose subject the
// kind can never match (a user or group exclusion of a SKU or tenant alert
// type, a sku exclusion of a user or tenant one).
Status ValidateExclusion(const ExclusionInput& input, SubjectKindFn subject_kind_of);

// Stores `input` for tenant `tenant_id`, added at `now`, and returns it as
// stored (with its id and the value normalised as above). Fails, storing
// nothing, with ValidateExclusion's error; AlreadyExists "user:x is already
// excluded from <alert type | every alert type> (exclusion N)" when the
// tenant has that exclusion; or the database's error. Two statements in one
// transaction.
Result<Exclusion> AddExclusion(Db* db, int64_t tenant_id, const ExclusionInput& input, TimeMs now,
                               SubjectKindFn subject_kind_of);

// Removes exclusion `id` of tenant `tenant_id` and returns it as it was.
// NotFound "no exclusion N" when the tenant has none with that id (another
// tenant's answers alike). One statement.
Result<Exclusion> RemoveExclusion(Db* db, int64_t tenant_id, int64_t id);

// The exclusions of tenant `tenant_id`, in id order (one statement).
Result<std::vector<Exclusion>> ListExclusions(Db* db, int64_t tenant_id);

// Whether an exclusion of `exclusion_type` ("*" or one alert type) covers
// findings of `alert_type`: never for a privilege.* alert type; otherwise
// when it is "*" or the same type.
bool ExclusionCovers(std::string_view exclusion_type, std::string_view alert_type);

// Whether `alert_type` belongs to the privilege analysis (never excluded).
bool IsPrivilegeAlertType(std::string_view alert_type);

// "kind:value", as `vigil prefs --exclude` takes it.
std::string ExclusionTarget(const Exclusion& exclusion);

}  // namespace vigil
