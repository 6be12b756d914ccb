// libFuzzer target for the Google Workspace parsers (google_parse.h).
//
// Every input is one answer page, fed to every parser: ParseGoogleUsers,
// ParseGoogleRoles, ParseGoogleRoleAssignments and
// ParseGoogleLicenseAssignments under the file names of a google_json
// directory, then ApplyGoogleLicenses of the licenses to the users when both
// parsed, and ParseGoogleUsers once more under a size limit just below the
// body's size.
//
// Besides what the sanitizers catch, the contract of google_parse.h is
// checked, and any breach aborts with a message:
//  - a parser returns OK or InvalidArgument, nothing else;
//  - a failure's message starts with "<page name>: ";
//  - a page appends to what earlier pages gave (a record placed before the
//    parse is still first after a success);
//  - a success yields records as documented: required fields present, one
//    registration per user with its id and email, mfa_enforced set, no
//    guests, a display name, last_sign_in never the epoch (that is "never")
//    and equal to last_successful_sign_in, no empty role name, the super
//    admin role renamed;
//  - ApplyGoogleLicenses gives sorted unique sku_ids, SKUs sorted by id
//    with no seat totals, and as many consumed seats as assignments;
//  - a body above the size limit fails with the size-limit message.
//
// Built and run by tests/fuzz/run.sh OUT_DIR google_parse.
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "providers/google_parse.h"
#include "providers/records.h"

namespace vigil {
namespace {

[[noreturn]] void Breach(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "google_parse_fuzz: contract breach: %.*s: %.*s\n",
               static_cast<int>(what.size()), what.data(), static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

void Expect(bool condition, std::string_view what, std::string_view detail = {}) {
  if (!condition) Breach(what, detail);
}

void ExpectCleanStatus(const Status& s, std::string_view page) {
  if (s.ok()) return;
  Expect(s.code() == Code::kInvalidArgument, "a parser returned a code other than InvalidArgument",
         s.ToString());
  const std::string prefix = std::string(page) + ": ";
  Expect(s.message().compare(0, prefix.size(), prefix) == 0,
         "a failure's message does not start with the page name", s.ToString());
}

bool SortedUnique(const std::vector<std::string>& v) {
  return std::adjacent_find(v.begin(), v.end(), [](const std::string& a, const std::string& b) {
           return a >= b;
         }) == v.end();
}

// Parses into vectors that already hold one record, as a second page does.
bool FuzzUsers(const simdjson::padded_string& body, std::vector<UserRecord>* users) {
  users->assign(1, UserRecord{});
  users->front().id = "earlier";
  std::vector<RegistrationRecord> regs(1);
  regs.front().user_id = "earlier";
  std::string token;
  const Status s = ParseGoogleUsers("users.json", body, users, &regs, &token);
  ExpectCleanStatus(s, "users.json");
  if (!s.ok()) return false;
  Expect(users->front().id == "earlier" && regs.front().user_id == "earlier",
         "a page replaced what an earlier page gave");
  Expect(users->size() == regs.size(), "users and registrations differ in number");
  for (size_t i = 1; i < users->size(); ++i) {
    const UserRecord& u = (*users)[i];
    Expect(!u.id.empty() && !u.upn.empty(), "a user without id or primaryEmail was accepted");
    Expect(!u.guest, "a Workspace user is a guest");
    Expect(!u.display_name.empty(), "a user without a display name", u.id);
    Expect(!u.last_sign_in || *u.last_sign_in != 0, "the epoch was kept as a sign-in", u.id);
    Expect(u.last_successful_sign_in == u.last_sign_in, "sign-in times differ", u.id);
    Expect(u.sku_ids.empty(), "a parsed user holds licenses", u.id);
    Expect(regs[i].user_id == u.id && regs[i].upn == u.upn, "a registration is not its user's",
           u.id);
    Expect(regs[i].mfa_enforced.has_value(), "isEnforcedIn2Sv not set", u.id);
  }
  return true;
}

void FuzzRoles(const simdjson::padded_string& body) {
  std::vector<RoleRecord> roles;
  std::string token;
  const Status s = ParseGoogleRoles("roles.json", body, &roles, &token);
  ExpectCleanStatus(s, "roles.json");
  if (!s.ok()) return;
  for (const RoleRecord& r : roles) {
    Expect(!r.id.empty() && !r.name.empty(), "a role without id or name was accepted");
    Expect(r.name != kGoogleSuperAdminRoleName, "the super admin role kept its seed name");
  }
}

void FuzzAssignments(const simdjson::padded_string& body) {
  std::vector<RoleAssignmentRecord> assignments;
  std::string token;
  const Status s = ParseGoogleRoleAssignments("roleAssignments.json", body, &assignments, &token);
  ExpectCleanStatus(s, "roleAssignments.json");
  if (!s.ok()) return;
  for (const RoleAssignmentRecord& a : assignments) {
    Expect(!a.id.empty() && !a.role_id.empty() && !a.principal_id.empty(),
           "a role assignment without a required field was accepted", a.id);
  }
}

void FuzzLicenses(const simdjson::padded_string& body, std::vector<UserRecord>* users,
                  bool users_ok) {
  std::vector<GoogleLicenseAssignment> licenses;
  std::string token;
  const Status s =
      ParseGoogleLicenseAssignments("licenseAssignments.json", body, &licenses, &token);
  ExpectCleanStatus(s, "licenseAssignments.json");
  if (!s.ok()) return;
  for (const GoogleLicenseAssignment& l : licenses) {
    Expect(!l.sku_id.empty() && !l.user_email.empty(), "a license without skuId or userId");
  }
  if (!users_ok) users->clear();
  std::vector<SkuRecord> skus;
  ApplyGoogleLicenses(licenses, users, &skus);
  int64_t seats = 0;
  for (size_t i = 0; i < skus.size(); ++i) {
    Expect(i == 0 || skus[i - 1].id < skus[i].id, "SKUs not sorted and unique by id");
    Expect(skus[i].enabled_units == 0, "a SKU has seat totals");
    Expect(!skus[i].part_number.empty(), "a SKU without a name");
    seats += skus[i].consumed_units;
  }
  Expect(seats == static_cast<int64_t>(licenses.size()), "seats differ from the assignments");
  for (const UserRecord& u : *users) Expect(SortedUnique(u.sku_ids), "sku_ids not sorted", u.id);
}

void CheckSizeLimit(const simdjson::padded_string& body) {
  if (body.size() == 0) return;
  GraphParseOptions options;
  options.max_file_bytes = body.size() - 1;
  std::vector<UserRecord> users;
  std::vector<RegistrationRecord> regs;
  std::string token;
  const Status s = ParseGoogleUsers("users.json", body, &users, &regs, &token, options);
  const std::string expected = "users.json: file of " + std::to_string(body.size()) +
                               " bytes is above the size limit of " +
                               std::to_string(body.size() - 1) + " bytes";
  Expect(s.code() == Code::kInvalidArgument && s.message() == expected,
         "a body above the size limit was not refused as such", s.ToString());
}

void FuzzOne(const uint8_t* data, size_t size) {
  const simdjson::padded_string body(reinterpret_cast<const char*>(data), size);
  std::vector<UserRecord> users;
  const bool users_ok = FuzzUsers(body, &users);
  FuzzRoles(body);
  FuzzAssignments(body);
  FuzzLicenses(body, &users, users_ok);
  CheckSizeLimit(body);
}

}  // namespace
}  // namespace vigil

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::FuzzOne(data, size);
  return 0;
}
