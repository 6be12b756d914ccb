#include "analysis/finding.h"

namespace vigil {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "low";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  if (name == "low") return Severity::kLow;
  if (name == "medium") return Severity::kMedium;
  if (name == "high") return Severity::kHigh;
  if (name == "critical") return Severity::kCritical;
  return std::nullopt;
}

std::string_view BatchStatusName(BatchStatus s) {
  switch (s) {
    case BatchStatus::kComplete:
      return "COMPLETE";
    case BatchStatus::kIncomplete:
      return "INCOMPLETE";
    case BatchStatus::kFailed:
      return "FAILED";
  }
  return "FAILED";
}

}  // namespace vigil
