// The connection check of a microsoft365 or google_workspace data source
// (the latter in pipeline/google_source_check.h), shared by `vigil
// source test` (app/cmd_source_check.cc) and POST /api/v1/sources/{id}/test
// (api/source_routes.cc): get a token with the stored
// credentials, then send one small Graph request per endpoint of the Graph
// directory table (docs/ARCHITECTURE.md, "The Graph directory format") and
// name the application permission each missing one needs. The users delta
// request is read as a sync reads it: its delta link resolved and checked as
// the sync will follow it
// (GraphClient::FollowLink).
//
// Thread safety: CheckSourceConnection may run on any thread, as the HTTP
// client it is given allows (the process's shared Graph client does).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/http_client.h"
#include "store/tenants.h"

namespace vigil {

struct SourceCheck {
  std::string name;  // "credentials", "users", "licenses", ...
  bool ok = false;
  bool optional = false;  // vigil syncs without it (users delta: unless its failure would
                          // fail a sync too, e.g. a delta link that leads outside Graph)
  std::string detail;     // empty when ok; why not, and the permission it needs
};

struct SourceCheckReport {
  int64_t data_source_id = 0;
  std::string provider;   // "microsoft365" or "google_workspace"
  // microsoft365: the directory and app registration checked.
  // google_workspace: the customer id ("my_customer" when none is stored) and
  // the service account's email.
  std::string tenant_id;
  std::string client_id;
  std::string admin_email;  // google_workspace: the administrator acted as; else ""
  // "credentials" first; the API checks only when a token was obtained.
  std::vector<SourceCheck> checks;
  // The application permissions Graph refused (google_workspace: the OAuth
  // scopes Google refused), sorted, each once.
  std::vector<std::string> missing_permissions;

  int failed() const;  // checks that did not pass
  // Whether the data source can sync: the credentials and every required
  // check passed (optional ones may have failed).
  bool ok() const;
};

// Called as the check goes: `started` once the credentials are read,
// `checked` after each check (so a CLI prints as it goes). Either may be empty.
struct SourceCheckProgress {
  std::function<void(const SourceCheckReport&)> started;
  std::function<void(const SourceCheck&)> checked;
};

// Checks data source `source`, sending Graph requests through `http`
// (borrowed for the call). A failing check is part of the report, not an
// error. Errors: FailedPrecondition when the source's provider is neither
// microsoft365 nor google_workspace ("data source 3 (graph) uses the
// graph_json provider; only microsoft365 and google_workspace data sources
// have a connection to test"); the settings' errors
// (pipeline/microsoft365_source.h Microsoft365OptionsOf,
// pipeline/google_workspace_source.h GoogleWorkspaceOptionsOf: a missing
// setting, no secret key, a secret that does not unseal); Internal when
// `http` is null. Never reveals the client secret or the service account key.
Result<SourceCheckReport> CheckSourceConnection(const DataSourceRow& source, HttpClient* http,
                                                const SourceCheckProgress& progress = {});

// The report as the API returns it (stable keys):
//   {"data_source": 3, "provider": "microsoft365", "tenant_id": "...",
//    "client_id": "...", "admin_email": null, "ok": bool,
//    "failed": n, "missing_permissions": ["..."],
//    "checks": [{"name", "ok", "optional", "detail"}]}
// google_workspace: tenant_id is the customer id, client_id the service
// account's email, admin_email the administrator, missing_permissions scopes.
nlohmann::json SourceCheckJson(const SourceCheckReport& report);

}  // namespace vigil
