#include "testing/channel_test_groups.h"

#include <array>

namespace vigil::testing {

AlertRow SampleAlert(int64_t id, const std::string& type, const std::string& subject_name,
                     const std::string& severity, const std::string& tenant,
                     const std::string& state) {
  AlertRow alert;
  alert.id = id;
  alert.tenant_id = 3;
  alert.tenant = tenant;
  alert.analysis_type = type.substr(0, type.find('.'));
  alert.type = type;
  alert.subject = "object-" + std::to_string(id);
  alert.subject_name = subject_name;
  alert.severity = severity;
  alert.state = state;
  alert.details = R"({"reason":"sample"})";
  alert.details_digest = "digest-" + std::to_string(id);
  alert.first_seen = kSampleChangeAt - 3600 * 1000;
  alert.last_seen = kSampleChangeAt;
  if (state == kAlertResolved) alert.resolved_at = kSampleChangeAt;
  alert.updated_at = kSampleChangeAt;
  alert.last_trace_id = "trace-" + std::to_string(id);
  return alert;
}

Notification SampleNotification(int64_t id, const AlertRow& alert, const std::string& change) {
  Notification n;
  n.id = id;
  n.key = "vigil:7:" + std::to_string(id);
  n.change = change;
  n.at = kSampleChangeAt;
  n.trace_id = "trace-" + std::to_string(alert.id);
  n.alert = alert;
  return n;
}

NotificationGroup SampleGroup(const std::string& tenant) {
  NotificationGroup group;
  group.channel_id = 7;
  group.channel = "ops";
  group.tenant = tenant;
  group.key = "vigil:7:group:1";
  group.notifications.push_back(SampleNotification(
      101, SampleAlert(41, "privilege.guest_admin", "guest@" + tenant + ".example", "high", tenant),
      "opened"));
  group.notifications.push_back(SampleNotification(
      102, SampleAlert(42, "stale.user", "old@" + tenant + ".example", "low", tenant, "resolved"),
      "resolved"));
  return group;
}

NotificationGroup LargeGroup(size_t count, const std::string& tenant) {
  static const std::array<std::string, 3> kTypes = {"mfa.user_not_registered", "stale.user",
                                                    "privilege.guest_admin"};
  NotificationGroup group;
  group.channel_id = 7;
  group.channel = "ops";
  group.tenant = tenant;
  group.key = "vigil:7:group:2";
  for (size_t i = 0; i < count; ++i) {
    const auto id = static_cast<int64_t>(i + 1);
    group.notifications.push_back(SampleNotification(
        1000 + id,
        SampleAlert(id, kTypes[i % kTypes.size()],
                    "user" + std::to_string(i) + "@" + tenant + ".example", "medium", tenant),
        "opened"));
  }
  return group;
}

}  // namespace vigil::testing
