// The connection check of a google_workspace data source, the Google half of
// pipeline/source_check.h (CheckSourceConnection calls it for that provider):
// get an access token with the stored service account key acting as the
// stored administrator (a refusal explains domain-wide delegation, as the
// client does: providers/google_client.h), then one small request per API
// the provider reads (providers/google_workspace_provider.h), each with
// maxResults=1:
//   "users"             users.list              needs kGoogleUserScope
//   "roles"             roles.list              needs kGoogleRoleScope
//   "role assignments"  roleAssignments.list    needs kGoogleRoleScope
//   "licenses"          licenseAssignments.listForProduct, once per product
//                       ("licenses (P)" when the source reads several)
//                                               needs kGoogleLicenseScope
// A 403 that is not throttling fails its check with
//   "needs scope https://www.googleapis.com/auth/admin.directory.user.readonly
//    (403 forbidden: Not Authorized to access this resource/api)"
// and puts the scope into the report's missing_permissions. No check is
// optional: the sync reads every one of them (a refused one leaves its kinds
// not available). The report's tenant_id is the customer id ("my_customer"
// when none is stored) and its client_id the service account's email.
//
// Thread safety: as CheckSourceConnection.
#pragma once

#include "common/status.h"
#include "http/http_client.h"
#include "pipeline/source_check.h"
#include "store/tenants.h"

namespace vigil {

// `source` is a google_workspace data source. Errors: the settings' errors
// (pipeline/google_workspace_source.h GoogleWorkspaceOptionsOf), the
// provider's refusal of its options; Internal when `http` is null. A failing
// check is part of the report. Never reveals the service account's key.
Result<SourceCheckReport> CheckGoogleWorkspaceConnection(const DataSourceRow& source,
                                                         HttpClient* http,
                                                         const SourceCheckProgress& progress);

}  // namespace vigil
