// libFuzzer target for the Microsoft Graph response parsers.
//
// Every input is one response body, fed to every parser: ParseKindFile for
// each kind (that is ParseUsers, ParseSkus, ParseRegistrations,
// ParseRoleAssignments, ParsePolicies, ParseSecurityDefaults and ParseGroups
// under the file names of a Graph directory), ParseUsers once more under a
// size limit just below the body's size, and ParseUserDelta
// (graph_delta_parse.h) when the build defines VIGIL_FUZZ_DELTA.
//
// Besides what the sanitizers catch (crash, leak, out-of-bounds, undefined
// behaviour) and libFuzzer's own limits (hang, memory), the contract of
// graph_parse.h is checked, and any breach aborts with a message:
//  - a parser returns OK or InvalidArgument, nothing else;
//  - a failure's message starts with "<file name>: ";
//  - a success yields records as documented: required ids present, lists
//    sorted (and sku_ids unique), roles equal to DeriveRoles of the
//    assignments;
//  - a body above the size limit fails with the size-limit message;
//  - ParseUserDelta fails exactly as ParseUsers does, and succeeds with one
//    entry per user, in order.
//
// Built and run by tests/fuzz/run.sh (clang++ -fsanitize=fuzzer,...).
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "providers/graph_parse.h"
#include "providers/records.h"
#include "providers/snapshot.h"

#if VIGIL_FUZZ_DELTA
#include "providers/graph_delta_parse.h"
#endif

namespace vigil {
namespace {

[[noreturn]] void Breach(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "graph_parse_fuzz: contract breach: %.*s: %.*s\n",
               static_cast<int>(what.size()), what.data(), static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

void Expect(bool condition, std::string_view what, std::string_view detail = {}) {
  if (!condition) Breach(what, detail);
}

// OK, or InvalidArgument whose message starts with "<file>: ".
void ExpectCleanStatus(const Status& s, std::string_view file) {
  if (s.ok()) return;
  Expect(s.code() == Code::kInvalidArgument, "a parser returned a code other than InvalidArgument",
         s.ToString());
  const std::string prefix = std::string(file) + ": ";
  Expect(s.message().compare(0, prefix.size(), prefix) == 0,
         "a failure's message does not start with the file name", s.ToString());
}

bool SortedUnique(const std::vector<std::string>& v) {
  return std::adjacent_find(v.begin(), v.end(), [](const std::string& a, const std::string& b) {
           return a >= b;
         }) == v.end();
}

void ExpectUsers(const std::vector<UserRecord>& users) {
  for (const UserRecord& u : users) {
    Expect(!u.id.empty(), "a user without id was accepted");
    Expect(SortedUnique(u.sku_ids), "sku_ids not sorted and unique", u.id);
  }
}

// The records of a snapshot that every ParseKindFile call succeeded for.
void ExpectSnapshot(const Snapshot& s, const std::vector<bool>& parsed) {
  auto ok = [&](EntityKind kind) { return parsed[static_cast<size_t>(kind)]; };
  if (ok(EntityKind::kUser)) ExpectUsers(s.users);
  if (ok(EntityKind::kSku)) {
    for (const SkuRecord& sku : s.skus) Expect(!sku.id.empty(), "a SKU without skuId was accepted");
  }
  if (ok(EntityKind::kRegistration)) {
    for (const RegistrationRecord& r : s.registrations) {
      Expect(!r.user_id.empty(), "a registration without id was accepted");
      Expect(std::is_sorted(r.methods.begin(), r.methods.end()), "methodsRegistered not sorted");
    }
  }
  if (ok(EntityKind::kRole)) {
    for (const RoleAssignmentRecord& a : s.role_assignments) {
      Expect(!a.id.empty() && !a.role_id.empty() && !a.principal_id.empty(),
             "a role assignment without a required field was accepted", a.id);
    }
    const std::vector<RoleRecord> derived = DeriveRoles(s.role_assignments);
    Expect(derived.size() == s.roles.size(), "roles differ from DeriveRoles in number");
    for (size_t i = 0; i < derived.size(); ++i) {
      Expect(derived[i].id == s.roles[i].id, "roles differ from DeriveRoles", derived[i].id);
      Expect(i == 0 || derived[i - 1].id < derived[i].id, "roles not sorted and unique");
    }
  }
  if (ok(EntityKind::kPolicy)) {
    for (const PolicyRecord& p : s.policies) {
      Expect(!p.id.empty(), "a policy without id was accepted");
      Expect(std::is_sorted(p.client_app_types.begin(), p.client_app_types.end()),
             "clientAppTypes not sorted", p.id);
      Expect(std::is_sorted(p.built_in_controls.begin(), p.built_in_controls.end()),
             "builtInControls not sorted", p.id);
    }
  }
  if (ok(EntityKind::kSetting)) {
    Expect(s.security_defaults.has_value(), "securityDefaults.json parsed but not stored");
  }
  if (ok(EntityKind::kGroup)) {
    for (const GroupRecord& g : s.groups) Expect(!g.id.empty(), "a group without id was accepted");
  }
}

// A body one byte above the limit fails with the size-limit message.
void CheckSizeLimit(const simdjson::padded_string& body) {
  if (body.size() == 0) return;
  GraphParseOptions options;
  options.max_file_bytes = body.size() - 1;
  std::vector<UserRecord> users;
  const Status s = ParseUsers("users.json", body, &users, options);
  const std::string expected = "users.json: file of " + std::to_string(body.size()) +
                               " bytes is above the size limit of " +
                               std::to_string(body.size() - 1) + " bytes";
  Expect(s.code() == Code::kInvalidArgument && s.message() == expected,
         "a body above the size limit was not refused as such", s.ToString());
}

#if VIGIL_FUZZ_DELTA
void CheckDelta(const simdjson::padded_string& body) {
  constexpr std::string_view kPage = "GET /v1.0/users/delta page 2";
  std::vector<UserRecord> users;
  const Status users_status = ParseUsers(kPage, body, &users);
  std::vector<UserDeltaEntry> entries;
  const Status s = ParseUserDelta(kPage, body, &entries);
  ExpectCleanStatus(s, kPage);
  if (!users_status.ok()) {
    // A document ParseUsers refuses is refused with ParseUsers' message.
    Expect(!s.ok() && s.message() == users_status.message(),
           "ParseUserDelta and ParseUsers disagree on a refused page",
           s.ToString() + " vs " + users_status.ToString());
    return;
  }
  if (!s.ok()) return;  // an "@removed" of the wrong type: named by ExpectCleanStatus
  Expect(entries.size() == users.size(), "delta entries and users differ in number");
  for (size_t i = 0; i < entries.size(); ++i) {
    Expect(entries[i].user.id == users[i].id, "a delta entry is not the user at its index",
           entries[i].user.id);
  }
}
#endif

// One input: every parser over the same body.
void FuzzOne(const uint8_t* data, size_t size) {
  const simdjson::padded_string body(reinterpret_cast<const char*>(data), size);

  Snapshot snapshot;
  std::vector<bool> parsed(std::size(kAllKinds), false);
  for (EntityKind kind : kAllKinds) {
    const std::string_view file = KindFile(kind);
    const Status s = ParseKindFile(kind, file, body, &snapshot);
    ExpectCleanStatus(s, file);
    parsed[static_cast<size_t>(kind)] = s.ok();
  }
  ExpectSnapshot(snapshot, parsed);
  CheckSizeLimit(body);
#if VIGIL_FUZZ_DELTA
  CheckDelta(body);
#endif
}

}  // namespace
}  // namespace vigil

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::FuzzOne(data, size);
  return 0;
}
