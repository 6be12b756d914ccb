// Notification groups for the channel tests (tests only): alerts with every
// field set, so a test can check each field of a payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "notify/notification.h"

namespace vigil::testing {

// 2026-11-28T21:29:41Z, the time of every sample change.
inline constexpr TimeMs kSampleChangeAt = 1795901381000;

// An alert of tenant `tenant` (tenant id 3) with every field set; open
// unless `state` says otherwise.
AlertRow SampleAlert(int64_t id, const std::string& type, const std::string& subject_name,
                     const std::string& severity, const std::string& tenant = "fabrikam",
                     const std::string& state = "open");

// A notification of `alert` with `change` at kSampleChangeAt, key
// "vigil:7:<id>", trace "trace-<alert id>".
Notification SampleNotification(int64_t id, const AlertRow& alert, const std::string& change);

// Group "vigil:7:group:1" of channel 7 "ops" for `tenant`: a guest admin
// opened (high), a stale user resolved (low).
NotificationGroup SampleGroup(const std::string& tenant = "fabrikam");

// A group of `count` opened alerts of `tenant`, of three types in turn
// (mfa.user_not_registered, stale.user, privilege.guest_admin), subjects
// "user<i>@<tenant>.example".
NotificationGroup LargeGroup(size_t count, const std::string& tenant = "fabrikam");

}  // namespace vigil::testing
