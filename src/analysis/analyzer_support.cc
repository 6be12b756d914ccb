#include "analysis/analyzer_support.h"

#include <algorithm>
#include <utility>

#include "analysis/alert_types.h"
#include "common/time.h"

namespace vigil {

Status CheckIndexes(const DataContext& ctx) {
  const size_t n = ctx.users.size();
  if (ctx.user_roles.size() != n) {
    return Status::Internal("data context: user_roles has " +
                            std::to_string(ctx.user_roles.size()) + " entries for " +
                            std::to_string(n) + " users (BuildIndexes was not called)");
  }
  if (ctx.user_skus.size() != n) {
    return Status::Internal("data context: user_skus has " + std::to_string(ctx.user_skus.size()) +
                            " entries for " + std::to_string(n) +
                            " users (BuildIndexes was not called)");
  }
  if (ctx.user_registration.size() != n) {
    return Status::Internal("data context: user_registration has " +
                            std::to_string(ctx.user_registration.size()) + " entries for " +
                            std::to_string(n) + " users (BuildIndexes was not called)");
  }
  return Status::Ok();
}

bool AlertTypeEnabled(const DataContext& ctx, std::string_view alert_type) {
  const auto& disabled = ctx.preferences.disabled_alert_types;
  if (!disabled.empty() && disabled.find(std::string(alert_type)) != disabled.end()) return false;
  const std::optional<Gap> gap = GapOfAlertType(alert_type);
  return !gap || !ctx.AllSourcesLack(*gap);
}

bool IsStale(const UserRecord& user, TimeMs now, int stale_days) {
  const TimeMs cutoff = now - static_cast<TimeMs>(stale_days) * kMsPerDay;
  if (user.last_sign_in.has_value()) return *user.last_sign_in < cutoff;
  if (user.created.has_value()) return *user.created < cutoff;
  return false;
}

bool IsStaleV2(const UserRecord& user, TimeMs now, int stale_days) {
  const TimeMs cutoff = now - static_cast<TimeMs>(stale_days) * kMsPerDay;
  if (user.created.has_value() && *user.created >= cutoff) return false;
  std::optional<TimeMs> latest = user.last_sign_in;
  if (user.last_successful_sign_in && (!latest || *user.last_successful_sign_in > *latest)) {
    latest = user.last_successful_sign_in;
  }
  if (latest.has_value()) return *latest < cutoff;
  return user.created.has_value();
}

bool StrongMfaMethod(std::string_view method) {
  static constexpr std::string_view kStrong[] = {
      "externalAuthMethod",        "fido2SecurityKey",
      "hardwareOneTimePasscode",   "macOsSecureEnclaveKey",
      "microsoftAuthenticatorPasswordless", "microsoftAuthenticatorPush",
      "passKeyDeviceBound",        "passKeyDeviceBoundAuthenticator",
      "passKeyDeviceBoundWindowsHello", "passKeySynced",
      "softwareOneTimePasscode",   "windowsHelloForBusiness",
  };
  for (std::string_view s : kStrong) {
    if (s == method) return true;
  }
  return false;
}

bool HasMfaRegistered(const DataContext& ctx, uint32_t user) {
  const int32_t reg = ctx.user_registration[user];
  return reg >= 0 && ctx.registrations[static_cast<size_t>(reg)].mfa_registered;
}

const std::vector<std::string>& RegisteredMethods(const DataContext& ctx, uint32_t user) {
  static const std::vector<std::string>* const kNone = new std::vector<std::string>();
  const int32_t reg = ctx.user_registration[user];
  return reg < 0 ? *kNone : ctx.registrations[static_cast<size_t>(reg)].methods;
}

std::vector<std::string> RoleNames(const DataContext& ctx, uint32_t user) {
  std::vector<std::string> names;
  names.reserve(ctx.user_roles[user].size());
  for (uint32_t role : ctx.user_roles[user]) names.push_back(ctx.roles[role].name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string_view UserTypeName(const UserRecord& user) { return user.guest ? "guest" : "member"; }

Finding MakeFinding(std::string_view alert_type, std::string subject, std::string subject_name,
                    std::string details) {
  Finding f;
  f.alert_type = std::string(alert_type);
  f.subject = std::move(subject);
  f.subject_name = std::move(subject_name);
  const AlertTypeInfo* info = FindAlertType(alert_type);
  f.severity = info != nullptr ? info->severity : Severity::kLow;
  f.details = std::move(details);
  return f;
}

void SortFindings(std::vector<Finding>* findings, size_t from) {
  const size_t n = findings->size() - from;
  if (n < 2) return;
  Finding* f = findings->data() + from;
  // Sort (type rank, subject, position) keys instead of Findings: comparing a
  // small rank beats comparing equal alert type strings, and moving 16-byte
  // keys beats moving Findings. The position keeps the sort stable.
  std::vector<std::string_view> types;  // distinct alert types, few
  for (size_t i = 0; i < n; ++i) {
    if (std::find(types.begin(), types.end(), f[i].alert_type) == types.end()) {
      types.push_back(f[i].alert_type);
    }
  }
  std::sort(types.begin(), types.end());
  struct Key {
    uint32_t rank;
    uint32_t pos;
    std::string_view subject;
  };
  std::vector<Key> keys(n);
  for (size_t i = 0; i < n; ++i) {
    const auto rank = std::lower_bound(types.begin(), types.end(), f[i].alert_type) - types.begin();
    keys[i] = Key{static_cast<uint32_t>(rank), static_cast<uint32_t>(i), f[i].subject};
  }
  auto less = [](const Key& a, const Key& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (int c = a.subject.compare(b.subject); c != 0) return c < 0;
    return a.pos < b.pos;
  };
  if (std::is_sorted(keys.begin(), keys.end(), less)) return;
  std::sort(keys.begin(), keys.end(), less);
  std::vector<Finding> sorted;
  sorted.reserve(n);
  for (const Key& key : keys) sorted.push_back(std::move(f[key.pos]));
  std::move(sorted.begin(), sorted.end(), f);
}

void SortAndCap(std::vector<std::string>* values) {
  if (values->size() > kMaxListedUsers) {
    std::partial_sort(values->begin(), values->begin() + kMaxListedUsers, values->end());
    values->resize(kMaxListedUsers);
  } else {
    std::sort(values->begin(), values->end());
  }
}

}  // namespace vigil
