#include "notify/message_summary.h"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>
#include <utility>

namespace vigil {
namespace {

struct CountedChange {
  std::string_view change;
  std::string_view words;
};

constexpr std::array<CountedChange, 8> kCounted = {{
    {kChangeOpened, "new"},
    {kChangeReopened, "reopened"},
    {kChangeResolved, "resolved"},
    {kChangeSeverity, "severity changed"},
    {kChangeUpdated, "updated"},
    {kChangeFlapping, "flapping"},
    {kChangeStable, "stable"},
    {kChangeRepeat, "still open"},
}};

std::string Counts(const std::vector<Notification>& notifications) {
  std::string text;
  for (const CountedChange& c : kCounted) {
    const auto n = std::count_if(notifications.begin(), notifications.end(),
                                 [&](const Notification& x) { return x.change == c.change; });
    if (n == 0) continue;
    if (!text.empty()) text += ", ";
    text += std::to_string(n) + " " + std::string(c.words);
  }
  return text;
}

std::string Headline(const NotificationGroup& group) {
  if (!group.digest) return group.tenant + ": " + Counts(group.notifications);
  std::vector<std::string_view> tenants;
  for (const Notification& n : group.notifications) {
    if (std::find(tenants.begin(), tenants.end(), n.alert.tenant) == tenants.end()) {
      tenants.push_back(n.alert.tenant);
    }
  }
  return "Digest: " + std::to_string(tenants.size()) +
         (tenants.size() == 1 ? " tenant, " : " tenants, ") + Counts(group.notifications);
}

std::string More(const std::vector<Notification>& left_out) {
  if (left_out.empty()) return "";
  std::map<std::string, size_t> by_type;
  for (const Notification& n : left_out) ++by_type[n.alert.type];
  std::vector<std::pair<std::string, size_t>> sorted(by_type.begin(), by_type.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string text = "and " + std::to_string(left_out.size()) + " more:";
  for (size_t i = 0; i < sorted.size(); ++i) {
    text += (i == 0 ? " " : ", ") + sorted[i].first + " " + std::to_string(sorted[i].second);
  }
  return text;
}

}  // namespace

std::string ChangeWords(const Notification& n) {
  if (n.change == kChangeSeverity) {
    return "severity " + n.previous_severity + " -> " + n.alert.severity;
  }
  if (n.change == kChangeRepeat) return "still open";
  return n.change;
}

MessageSummary SummarizeGroup(const NotificationGroup& group, size_t max_lines) {
  MessageSummary summary;
  summary.headline = Headline(group);
  const size_t shown = std::min(max_lines, group.notifications.size());
  for (size_t i = 0; i < shown; ++i) {
    const Notification& n = group.notifications[i];
    std::string text = group.digest ? n.alert.tenant + ": " : "";
    text += "[" + n.alert.severity + "] " + n.alert.type + ": " + n.alert.subject_name + " (" +
            ChangeWords(n) + ")";
    summary.lines.push_back({std::move(text), &n});
  }
  std::vector<Notification> left_out(group.notifications.begin() + shown,
                                     group.notifications.end());
  summary.left_out = left_out.size();
  summary.more = More(left_out);
  return summary;
}

}  // namespace vigil
