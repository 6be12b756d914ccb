// Entity codec: the canonical attribute encoding of each record type, as sync
// stores it and the DataContextLoader reads it back.
//
// EncodeXxx writes a compact JSON object whose keys come in a fixed order and
// whose values are written the same way every time, so the same record always
// gives the same bytes (a content hash of them diffs correctly). Everything
// but the external id is in the attributes, display names included. Times are
// integers (ms since the epoch) or null for "never"/absent.
//
//   user          {"upn":..,"display_name":..,"enabled":..,"guest":..,
//                  "created":..,"last_sign_in":..,"sku_ids":[..]}
//   sku           {"part_number":..,"enabled_units":..,"consumed_units":..}
//   registration  {"upn":..,"mfa_registered":..,"methods":[..],"mfa_enforced":..}
//                 (mfa_enforced only when the provider knows it, so rows of
//                 providers without it keep their bytes)
//   role          {"name":..,"global_admin":..}
//   policy        {"name":..,"state":..,"all_users":..,"client_app_types":[..],
//                  "built_in_controls":[..]}
//   setting       {"enabled":..}   (the security defaults; id kSecurityDefaultsId)
//   group         {"display_name":..,"security_enabled":..,"member_ids":[..]}
//
// A group's member_ids are written sorted and unique, and only when there
// are any, so a group row stored before groups had members keeps its bytes
// (and content hash); a membership change is a change of the group's row.
// DecodeGroup returns them sorted and unique.
//
// A user's licenses (sku_ids) are part of its row, so a license change is a
// change of the user; there are no license links in storage
// (docs/ARCHITECTURE.md, departures). DecodeUser returns them sorted and
// unique. Not encoded: role assignments (stored as links, no codec).
//
// DecodeXxx(id, attributes, out) replaces *out with the record (id set from
// `id`). Members missing from `attributes` keep their default value and
// unknown members are ignored, so older rows still decode. Fails with
// InvalidArgument naming the kind, the id and the problem, e.g.
//   user "0b1c...": attributes: enabled: expected boolean
// and leaves *out unspecified. Decoding 100k users plus 100k registrations
// takes a few tens of milliseconds.
// Thread-safe (each thread decodes with its own parser).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "providers/records.h"

namespace vigil {

// The external id under which the security defaults setting is stored.
inline constexpr std::string_view kSecurityDefaultsId = "securityDefaults";

std::string EncodeUser(const UserRecord& user);
std::string EncodeSku(const SkuRecord& sku);
std::string EncodeRegistration(const RegistrationRecord& registration);
std::string EncodeRole(const RoleRecord& role);
std::string EncodePolicy(const PolicyRecord& policy);
std::string EncodeSecurityDefaults(const SecurityDefaultsRecord& defaults);
std::string EncodeGroup(const GroupRecord& group);

Status DecodeUser(std::string_view id, std::string_view attributes, UserRecord* out);
Status DecodeSku(std::string_view id, std::string_view attributes, SkuRecord* out);
Status DecodeRegistration(std::string_view id, std::string_view attributes,
                          RegistrationRecord* out);
Status DecodeRole(std::string_view id, std::string_view attributes, RoleRecord* out);
Status DecodePolicy(std::string_view id, std::string_view attributes, PolicyRecord* out);
// `id` is only used in error messages.
Status DecodeSecurityDefaults(std::string_view id, std::string_view attributes,
                              SecurityDefaultsRecord* out);
Status DecodeGroup(std::string_view id, std::string_view attributes, GroupRecord* out);

}  // namespace vigil
