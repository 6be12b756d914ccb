// For tests only: builds DataContexts by hand for analyzer tests. Header-only
// so that it stays out of the vigil_analysis library.
//
// A fresh ContextBuilder describes a healthy tenant "contoso": every kind of
// data available, security defaults on, no users, SKUs, roles or policies.
// Each added user is an enabled member "<name>@contoso.com" with object id
// "id-<name>", MFA registered, created a year ago and signed in yesterday;
// the modifiers change the user added last.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/analyzer.h"
#include "analysis/finding.h"
#include "common/time.h"
#include "context/data_context.h"
#include "providers/records.h"

namespace vigil::analysis_testing {

// The pinned analysis clock of the tests: 2026-06-01T12:00:00Z.
inline constexpr TimeMs kNow = 1780315200000;
inline constexpr TimeMs DaysAgo(int64_t days) { return kNow - days * kMsPerDay; }

inline constexpr std::string_view kUserAdminRoleId = "fe930be7-5e62-47db-91af-98c3a49a38b1";

class ContextBuilder {
 public:
  ContextBuilder() {
    ctx_.tenant_id = 7;
    ctx_.tenant_name = "contoso";
    ctx_.now = kNow;
    for (EntityKind kind : kAllKinds) ctx_.availability[kind] = Availability{true, ""};
    ctx_.security_defaults = SecurityDefaultsRecord{true};
  }

  ContextBuilder& Member(const std::string& name) { return Add(name, false); }
  ContextBuilder& Guest(const std::string& name) { return Add(name, true); }
  ContextBuilder& Disabled() {
    last().enabled = false;
    return *this;
  }
  // A registration row that says MFA is not registered (methods: email only).
  ContextBuilder& NoMfa() {
    mfa_.back() = MfaState::kNotRegistered;
    return *this;
  }
  // No registration row at all.
  ContextBuilder& NoRegistration() {
    mfa_.back() = MfaState::kNoRow;
    return *this;
  }
  // A registration row that says MFA is registered, with these methods.
  ContextBuilder& RegisteredWith(std::vector<std::string> methods) {
    mfa_.back() = MfaState::kRegistered;
    methods_.back() = std::move(methods);
    return *this;
  }
  ContextBuilder& LastSuccessfulSignIn(std::optional<TimeMs> at) {
    last().last_successful_sign_in = at;
    return *this;
  }
  ContextBuilder& LastSignIn(std::optional<TimeMs> at) {
    last().last_sign_in = at;
    return *this;
  }
  ContextBuilder& Created(std::optional<TimeMs> at) {
    last().created = at;
    return *this;
  }
  // The last user holds the role with this roleDefinitionId.
  ContextBuilder& Role(std::string_view role_definition_id) {
    AddRole(role_definition_id);
    links_.emplace_back(last().id, std::string(role_definition_id));
    return *this;
  }
  ContextBuilder& GlobalAdmin() { return Role(kGlobalAdminRoleId); }
  ContextBuilder& UserAdmin() { return Role(kUserAdminRoleId); }
  // The last user holds a license of this skuId.
  ContextBuilder& License(const std::string& sku_id) {
    last().sku_ids.push_back(sku_id);
    return *this;
  }

  ContextBuilder& Sku(const std::string& id, const std::string& part, int64_t enabled,
                      int64_t consumed) {
    ctx_.skus.push_back(SkuRecord{id, part, enabled, consumed});
    return *this;
  }
  ContextBuilder& Policy(const std::string& name, const std::string& state, bool all_users,
                         std::vector<std::string> client_app_types,
                         std::vector<std::string> built_in_controls) {
    PolicyRecord p;
    p.id = "policy-" + std::to_string(ctx_.policies.size() + 1);
    p.name = name;
    p.state = state;
    p.all_users = all_users;
    std::sort(client_app_types.begin(), client_app_types.end());
    std::sort(built_in_controls.begin(), built_in_controls.end());
    p.client_app_types = std::move(client_app_types);
    p.built_in_controls = std::move(built_in_controls);
    ctx_.policies.push_back(std::move(p));
    return *this;
  }
  // nullopt: the setting kind is available but no record was returned.
  ContextBuilder& SecurityDefaults(std::optional<bool> enabled) {
    if (enabled.has_value()) {
      ctx_.security_defaults = SecurityDefaultsRecord{*enabled};
    } else {
      ctx_.security_defaults.reset();
    }
    return *this;
  }
  ContextBuilder& Unavailable(EntityKind kind, const std::string& reason) {
    ctx_.availability[kind] = Availability{false, reason};
    return *this;
  }
  ContextBuilder& NeverSynced(EntityKind kind) {
    ctx_.availability.erase(kind);
    return *this;
  }

  // Direct access for what the modifiers do not cover.
  DataContext& ctx() { return ctx_; }

  DataContext Build() const {
    DataContext ctx = ctx_;
    ctx.registrations.clear();
    for (size_t i = 0; i < ctx.users.size(); ++i) {
      UserRecord& user = ctx.users[i];
      std::sort(user.sku_ids.begin(), user.sku_ids.end());
      user.sku_ids.erase(std::unique(user.sku_ids.begin(), user.sku_ids.end()), user.sku_ids.end());
      if (mfa_[i] == MfaState::kNoRow) continue;
      RegistrationRecord reg;
      reg.user_id = user.id;
      reg.upn = user.upn;
      reg.mfa_registered = mfa_[i] == MfaState::kRegistered;
      reg.methods = reg.mfa_registered ? std::vector<std::string>{"microsoftAuthenticatorPush"}
                                       : std::vector<std::string>{"email"};
      if (methods_[i]) reg.methods = *methods_[i];
      ctx.registrations.push_back(std::move(reg));
    }
    ctx.BuildIndexes(links_);
    return ctx;
  }

 private:
  enum class MfaState { kRegistered, kNotRegistered, kNoRow };

  ContextBuilder& Add(const std::string& name, bool guest) {
    UserRecord user;
    user.id = "id-" + name;
    user.upn = name + "@contoso.com";
    user.display_name = name;
    user.enabled = true;
    user.guest = guest;
    user.created = DaysAgo(365);
    user.last_sign_in = DaysAgo(1);
    ctx_.users.push_back(std::move(user));
    mfa_.push_back(MfaState::kRegistered);
    methods_.emplace_back();
    return *this;
  }
  UserRecord& last() { return ctx_.users.back(); }
  void AddRole(std::string_view role_definition_id) {
    for (const RoleRecord& role : ctx_.roles) {
      if (role.id == role_definition_id) return;
    }
    ctx_.roles.push_back(RoleForDefinitionId(role_definition_id));
  }

  DataContext ctx_;
  std::vector<MfaState> mfa_;
  std::vector<std::optional<std::vector<std::string>>> methods_;  // per user; unset: the default
  std::vector<std::pair<std::string, std::string>> links_;
};

// Findings as "alert_type subject" lines, in their order.
inline std::vector<std::string> Keys(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) out.push_back(f.alert_type + " " + f.subject);
  return out;
}

// The findings of `analyzer` over `ctx`; a non-OK status fails the test.
inline std::vector<Finding> FindingsOf(const Analyzer& analyzer, const DataContext& ctx) {
  std::vector<Finding> findings;
  Status status = analyzer.Analyze(ctx, &findings);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return findings;
}

// The finding of `alert_type` about `subject`, or nullptr.
inline const Finding* FindingFor(const std::vector<Finding>& findings, std::string_view alert_type,
                                 std::string_view subject) {
  for (const Finding& f : findings) {
    if (f.alert_type == alert_type && f.subject == subject) return &f;
  }
  return nullptr;
}

}  // namespace vigil::analysis_testing
