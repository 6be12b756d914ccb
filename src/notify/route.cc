#include "notify/route.h"

#include <algorithm>
#include <array>

#include "notify/notification.h"

namespace vigil {
namespace {

constexpr std::array<std::string_view, 4> kSeverities = {"low", "medium", "high", "critical"};

constexpr std::array<std::string_view, 8> kChanges = {
    kChangeOpened,   kChangeReopened, kChangeResolved, kChangeSeverity,
    kChangeUpdated,  kChangeFlapping, kChangeStable,   kChangeRepeat};

std::string ChangeNames() {
  std::string names;
  for (std::string_view c : kChanges) {
    if (!names.empty()) names += ", ";
    names += c;
  }
  return names;
}

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

bool IsKnownChange(std::string_view change) {
  return std::find(kChanges.begin(), kChanges.end(), change) != kChanges.end();
}

int SeverityRank(std::string_view severity) {
  for (size_t i = 0; i < kSeverities.size(); ++i) {
    if (kSeverities[i] == severity) return static_cast<int>(i);
  }
  return -1;
}

// Iterative glob matching with one backtrack point (the last `*`): linear in
// practice, never exponential.
bool GlobMatches(std::string_view glob, std::string_view text) {
  size_t g = 0, t = 0;
  size_t star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == text[t])) {
      ++g;
      ++t;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      mark = t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

bool RouteTakes(const Route& route, std::optional<int64_t> owner, const RouteInput& in) {
  if (owner && *owner != in.tenant_id) return false;
  if (!route.tenant_ids.empty() && std::find(route.tenant_ids.begin(), route.tenant_ids.end(),
                                             in.tenant_id) == route.tenant_ids.end()) {
    return false;
  }
  if (!route.types.empty() &&
      std::none_of(route.types.begin(), route.types.end(),
                   [&](const std::string& glob) { return GlobMatches(glob, in.alert_type); })) {
    return false;
  }
  if (SeverityRank(in.severity) < SeverityRank(route.min_severity)) return false;
  if (in.change == kChangeFlapping || in.change == kChangeStable) return true;
  return Contains(route.changes, in.change);
}

Status ValidateRoute(const Route& route) {
  if (SeverityRank(route.min_severity) < 0) {
    return Status::InvalidArgument("min_severity: unknown severity \"" + route.min_severity +
                                   "\" (expected low, medium, high or critical)");
  }
  for (const std::string& glob : route.types) {
    if (glob.empty()) return Status::InvalidArgument("types: empty glob");
  }
  if (route.changes.empty()) {
    return Status::InvalidArgument("changes: empty; the channel would send nothing (expected " +
                                   ChangeNames() + ")");
  }
  for (const std::string& change : route.changes) {
    if (!IsKnownChange(change)) {
      return Status::InvalidArgument("changes: unknown change \"" + change +
                                     "\" (expected one of " + ChangeNames() + ")");
    }
  }
  if (route.group_wait_ms < 0) return Status::InvalidArgument("group_wait: negative");
  if (route.repeat_interval_ms < 0) return Status::InvalidArgument("repeat_interval: negative");
  return Status::Ok();
}

}  // namespace vigil
