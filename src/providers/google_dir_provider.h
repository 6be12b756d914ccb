// The `google_json` provider: reads a directory of Google Workspace Admin
// SDK answers, one file per endpoint, each one page-shaped object holding
// every item (providers/google_parse.h names the files and their shapes;
// docs/ARCHITECTURE.md, "Google Workspace").
//
// What each file gives (a missing file marks its kinds not available with
// the reason "<file> is missing", never an empty list):
//   users.json               kUser, kRegistration and kSignIn (lastLoginTime
//                            is the sign-in activity: known with the users)
//   roles.json +             kRole, only with both files; the reason names
//   roleAssignments.json     the missing one(s): "roles.json is missing",
//                            "roles.json and roleAssignments.json are missing"
//   licenseAssignments.json  kSku, and the users' sku_ids (ApplyGoogleLicenses);
//                            without it users keep empty sku_ids
// kPolicy, kSetting and kGroup are never available, with the reasons of
// providers/google_kinds.h ("Google Workspace has no security defaults").
//
// A present file is parsed whole (its "nextPageToken", if any, is ignored:
// the file is the last page); any parse error fails the whole Fetch with
// the parser's message ("users.json: users[3].suspended: expected
// boolean"); with several bad files, the first in the order above. An
// unreadable file fails with IoError naming its path; a file above
// options.max_file_bytes fails with InvalidArgument naming file and size
// before it is read.
//
// Fetch reads users.json on the calling thread and the other files on a
// helper; the result does not depend on which is faster.
//
// Not thread-safe: use one instance per thread.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "providers/graph_parse.h"
#include "providers/provider.h"

namespace vigil {

struct GoogleDirOptions {
  // Files larger than this are refused.
  uint64_t max_file_bytes = kDefaultMaxGraphFileBytes;
};

// The files of a Google Workspace directory.
inline constexpr char kGoogleUsersFile[] = "users.json";
inline constexpr char kGoogleRolesFile[] = "roles.json";
inline constexpr char kGoogleRoleAssignmentsFile[] = "roleAssignments.json";
inline constexpr char kGoogleLicenseAssignmentsFile[] = "licenseAssignments.json";

// A provider named "google_json" reading `dir`. Fails with NotFound naming
// the directory when it does not exist or is not a directory; Fetch fails
// the same way if the directory disappears later.
Result<std::unique_ptr<Provider>> NewGoogleDirProvider(std::string dir,
                                                       GoogleDirOptions options = {});

}  // namespace vigil
