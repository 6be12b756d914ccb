// The kinds of data Google Workspace does not have, and how a Workspace
// provider (google_json, google_workspace) says so: an Availability entry
// that is not available, with a reason naming what Workspace lacks, so the
// kind is never mistaken for an empty list. Every other kind is read.
#pragma once

#include <string>
#include <string_view>

#include "providers/records.h"
#include "providers/snapshot.h"

namespace vigil {

// "Google Workspace has no conditional access policies" (kPolicy), "... no
// security defaults" (kSetting), "... no groups synced" (kGroup); "" for the
// kinds Workspace has.
inline std::string_view GoogleAbsentKindReason(EntityKind kind) {
  switch (kind) {
    case EntityKind::kPolicy:
      return "Google Workspace has no conditional access policies";
    case EntityKind::kSetting:
      return "Google Workspace has no security defaults";
    case EntityKind::kGroup:
      return "Google Workspace has no groups synced";
    default:
      return "";
  }
}

// Gives every kind Workspace lacks its not-available entry.
inline void MarkGoogleAbsentKinds(Snapshot* snapshot) {
  for (EntityKind kind : kAllKinds) {
    const std::string_view reason = GoogleAbsentKindReason(kind);
    if (!reason.empty()) snapshot->availability[kind] = Availability{false, std::string(reason)};
  }
}

}  // namespace vigil
