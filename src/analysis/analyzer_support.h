// Rules and helpers shared by the analyzers (internal to src/analysis; other
// modules use alert_types.h and the Analyzer interface instead).
//
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/finding.h"
#include "common/clock.h"
#include "common/status.h"
#include "context/data_context.h"
#include "providers/records.h"

namespace vigil {

// Lists of users in details (license.disabled_user, the Global Administrator
// list) hold at most this many entries; a count beside them gives the total.
inline constexpr size_t kMaxListedUsers = 100;

// OK when ctx's adjacency vectors match its records (BuildIndexes was
// called); Internal naming the vector otherwise.
Status CheckIndexes(const DataContext& ctx);

// False when the tenant switched `alert_type` off (preferences.disabled_alert_types),
// or when the type does not apply to the tenant: every data source lacks the
// fact it reads (alert_types.h GapOfAlertType).
bool AlertTypeEnabled(const DataContext& ctx, std::string_view alert_type);

// The stale rule (stale.*, privilege.stale_admin): the latest sign-in is
// older than `stale_days` days before `now`; or the user never signed in and
// was created more than `stale_days` days before `now`. A user who never
// signed in and has no creation time is not stale (its age is unknown).
// Exactly `stale_days` days is not yet stale. Ignores whether the account is enabled.
bool IsStale(const UserRecord& user, TimeMs now, int stale_days);

// The stale rule of version 2: as IsStale over the latest of last_sign_in
// and last_successful_sign_in, and never stale while the account is younger
// than `stale_days` days (a creation time within the window wins over an
// older sign-in time, as after an account was deleted and restored).
bool IsStaleV2(const UserRecord& user, TimeMs now, int stale_days);

// Whether `method` (a methodsRegistered value of Graph's
// userRegistrationDetails) is a second factor of its own: an authenticator
// app (push, passwordless, one-time code), a hardware token, a FIDO2 key or
// passkey, Windows Hello, a platform key, an external MFA provider. Not:
// mobilePhone, alternateMobilePhone, officePhone (SMS and voice), email,
// securityQuestion, temporaryAccessPass, and any value not listed (an
// unknown future method is not assumed strong).
bool StrongMfaMethod(std::string_view method);

// Whether users[user] has MFA registered: a registration row with
// mfa_registered. No row means not registered.
bool HasMfaRegistered(const DataContext& ctx, uint32_t user);

// The methods of users[user]'s registration row (sorted, as
// RegistrationRecord promises), or an empty list.
const std::vector<std::string>& RegisteredMethods(const DataContext& ctx, uint32_t user);

// Names of the roles users[user] holds, sorted, each once.
std::vector<std::string> RoleNames(const DataContext& ctx, uint32_t user);

// "guest" or "member".
std::string_view UserTypeName(const UserRecord& user);

// A finding of `alert_type` with the table's default severity.
Finding MakeFinding(std::string_view alert_type, std::string subject, std::string subject_name,
                    std::string details);

// Sorts findings[from..] by (alert type, subject); stable, so of findings
// with the same key the first stays first.
void SortFindings(std::vector<Finding>* findings, size_t from);

// Sorts `values` and keeps the first kMaxListedUsers of them.
void SortAndCap(std::vector<std::string>* values);

}  // namespace vigil
