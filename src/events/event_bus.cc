#include "events/event_bus.h"

namespace vigil {

bool EventFilter::Matches(const Event& event) const {
  if (tenant_id != 0 && event.tenant_id != tenant_id) return false;
  if (type.empty()) return true;
  if (type.size() >= 2 && type.compare(type.size() - 2, 2, ".*") == 0) {
    const std::string_view prefix(type.data(), type.size() - 1);  // keeps the dot
    return std::string_view(event.type).substr(0, prefix.size()) == prefix;
  }
  return event.type == type;
}

}  // namespace vigil
