#include "providers/google_dir_provider.h"

#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "providers/google_kinds.h"
#include "providers/google_licenses.h"
#include "providers/google_parse.h"
#include "providers/json_dir.h"

namespace vigil {
namespace {

// Loads `file` of `dir` and, when it is there, calls parse(file, body,
// &token); *present says whether it was.
template <typename Parse>
Status ReadFile(const std::string& dir, const char* file, const GraphParseOptions& options,
                bool* present, Parse&& parse) {
  simdjson::padded_string body;
  VIGIL_RETURN_IF_ERROR(LoadJsonFile(dir, file, options, &body, present));
  if (!*present) return Status::Ok();
  std::string next_page_token;  // a file is the last page: ignored
  return parse(file, body, &next_page_token);
}

Availability Present(bool present, const char* file) {
  if (present) return Availability{true, ""};
  return Availability{false, std::string(file) + " is missing"};
}

// Roles need both files: the roles and who holds them.
Availability RolesAvailability(bool roles, bool assignments) {
  if (roles && assignments) return Availability{true, ""};
  if (!roles && !assignments) {
    return Availability{false, std::string(kGoogleRolesFile) + " and " +
                                   kGoogleRoleAssignmentsFile + " are missing"};
  }
  return Present(false, roles ? kGoogleRoleAssignmentsFile : kGoogleRolesFile);
}

// What the helper thread reads: every file but users.json.
struct OtherFiles {
  Status status;
  bool roles = false, assignments = false, licenses = false;
  std::vector<RoleRecord> role_records;
  std::vector<RoleAssignmentRecord> assignment_records;
  std::vector<GoogleLicenseAssignment> license_records;
  std::optional<GoogleLicenseIndex> license_index;  // with licenses
};

Status ReadOthers(const std::string& dir, const GraphParseOptions& o, OtherFiles* f) {
  VIGIL_RETURN_IF_ERROR(ReadFile(dir, kGoogleRolesFile, o, &f->roles, [&](auto n, auto& b, auto t) {
    return ParseGoogleRoles(n, b, &f->role_records, t, o);
  }));
  VIGIL_RETURN_IF_ERROR(
      ReadFile(dir, kGoogleRoleAssignmentsFile, o, &f->assignments, [&](auto n, auto& b, auto t) {
        return ParseGoogleRoleAssignments(n, b, &f->assignment_records, t, o);
      }));
  VIGIL_RETURN_IF_ERROR(
      ReadFile(dir, kGoogleLicenseAssignmentsFile, o, &f->licenses, [&](auto n, auto& b, auto t) {
        return ParseGoogleLicenseAssignments(n, b, &f->license_records, t, o);
      }));
  // Indexed here, while the other thread still parses users.json.
  if (f->licenses) f->license_index.emplace(f->license_records);
  return Status::Ok();
}

class GoogleDirProvider final : public Provider {
 public:
  GoogleDirProvider(std::string dir, GoogleDirOptions options)
      : dir_(std::move(dir)), options_(options) {}

  std::string name() const override { return "google_json"; }

  Result<Snapshot> Fetch() override {
    VIGIL_RETURN_IF_ERROR(CheckDirectory(dir_));
    GraphParseOptions o;
    o.max_file_bytes = options_.max_file_bytes;
    OtherFiles others;
    auto read_others = [&] { others.status = ReadOthers(dir_, o, &others); };
    std::thread helper;
    try {
      helper = std::thread(read_others);
    } catch (const std::system_error&) {
      // No thread to be had: the other files are read after users.json.
    }
    Snapshot s;
    bool users = false;
    const Status users_status =
        ReadFile(dir_, kGoogleUsersFile, o, &users, [&](auto n, auto& b, auto t) {
          return ParseGoogleUsers(n, b, &s.users, &s.registrations, t, o);
        });
    if (helper.joinable()) {
      helper.join();
    } else {
      read_others();
    }
    VIGIL_RETURN_IF_ERROR(users_status);
    VIGIL_RETURN_IF_ERROR(others.status);

    const Availability user_availability = Present(users, kGoogleUsersFile);
    s.availability[EntityKind::kUser] = user_availability;
    s.availability[EntityKind::kRegistration] = user_availability;
    s.availability[EntityKind::kSignIn] = user_availability;
    s.availability[EntityKind::kRole] = RolesAvailability(others.roles, others.assignments);
    if (s.Has(EntityKind::kRole)) {
      s.roles = std::move(others.role_records);
      s.role_assignments = std::move(others.assignment_records);
    }
    s.availability[EntityKind::kSku] = Present(others.licenses, kGoogleLicenseAssignmentsFile);
    if (others.license_index) {
      others.license_index->ApplyTo(&s.users);
      s.skus = others.license_index->skus();
    }
    MarkGoogleAbsentKinds(&s);
    return s;
  }

 private:
  const std::string dir_;
  const GoogleDirOptions options_;
};

}  // namespace

Result<std::unique_ptr<Provider>> NewGoogleDirProvider(std::string dir, GoogleDirOptions options) {
  VIGIL_RETURN_IF_ERROR(CheckDirectory(dir));
  return std::unique_ptr<Provider>(new GoogleDirProvider(std::move(dir), options));
}

}  // namespace vigil
