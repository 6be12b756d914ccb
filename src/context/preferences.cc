#include "context/preferences.h"

#include <charconv>

namespace vigil {
namespace {

Status ParseInt(std::string_view key, std::string_view value, int min, int max, int* out) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size() || v < min || v > max) {
    return Status::InvalidArgument("preference " + std::string(key) + ": \"" + std::string(value) +
                                   "\" is not a whole number from " + std::to_string(min) + " to " +
                                   std::to_string(max));
  }
  *out = v;
  return Status::Ok();
}

}  // namespace

Status Preferences::Set(std::string_view key, std::string_view value) {
  if (key == "stale_days") return ParseInt(key, value, 1, 3650, &stale_days);
  if (key == "min_global_admins") return ParseInt(key, value, 0, 1000, &min_global_admins);
  if (key == "max_global_admins") return ParseInt(key, value, 0, 1000, &max_global_admins);
  if (key == "max_sync_age_hours") return ParseInt(key, value, 1, 24 * 3650, &max_sync_age_hours);
  if (key == "disabled_alert_types") {
    disabled_alert_types.clear();
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      if (comma == std::string_view::npos) comma = value.size();
      std::string_view item = value.substr(start, comma - start);
      if (!item.empty()) disabled_alert_types.insert(std::string(item));
      start = comma + 1;
    }
    return Status::Ok();
  }
  return Status::InvalidArgument("unknown preference \"" + std::string(key) +
                                 "\" (known: stale_days, min_global_admins, "
                                 "max_global_admins, max_sync_age_hours, disabled_alert_types)");
}

std::vector<std::pair<std::string, std::string>> Preferences::Entries() const {
  std::string disabled;
  for (const std::string& type : disabled_alert_types) {
    if (!disabled.empty()) disabled += ",";
    disabled += type;
  }
  return {{"stale_days", std::to_string(stale_days)},
          {"min_global_admins", std::to_string(min_global_admins)},
          {"max_global_admins", std::to_string(max_global_admins)},
          {"max_sync_age_hours", std::to_string(max_sync_age_hours)},
          {"disabled_alert_types", disabled}};
}

}  // namespace vigil
