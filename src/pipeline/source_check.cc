#include "pipeline/source_check.h"

#include <algorithm>
#include <memory>

#include "pipeline/google_source_check.h"
#include "pipeline/microsoft365_source.h"
#include "providers/graph_client.h"
#include "providers/microsoft365_provider.h"

namespace vigil {
namespace {

struct Probe {
  const char* name;        // what the user reads
  const char* path;        // below graph_url
  const char* permission;  // the application permission it needs
  bool optional;           // vigil syncs without it
  bool delta = false;      // read the answer's delta link as a sync does
};

constexpr Probe kProbes[] = {
    {"users", "/users?$select=id,userPrincipalName&$top=1", "User.Read.All", false},
    {"sign-in activity", "/users?$select=id,signInActivity&$top=1",
     "AuditLog.Read.All (and an Entra ID P1 tenant)", true},
    {"users delta", "/users/delta?$select=id&$deltatoken=latest", "User.Read.All", true, true},
    {"licenses", "/subscribedSkus", "Organization.Read.All", false},
    {"MFA registration", "/reports/authenticationMethods/userRegistrationDetails?$top=1",
     "AuditLog.Read.All", false},
    {"directory roles", "/roleManagement/directory/roleAssignments?$expand=principal&$top=1",
     "RoleManagement.Read.Directory", false},
    {"conditional access", "/identity/conditionalAccess/policies?$top=1", "Policy.Read.All", false},
    {"security defaults", "/policies/identitySecurityDefaultsEnforcementPolicy", "Policy.Read.All",
     false},
    {"groups", "/groups?$top=1", "Group.Read.All", true},
};

// The delta request as a full sync sends it (GraphClient::GetPages): the
// delta link of the answer is resolved and checked as the sync will follow
// it, and an answer without one fails (each sync would then read every
// user). *fails_sync: the failure would fail a sync too, not only make it
// read every user (microsoft365_provider.h GraphDeltaRefused).
Status DeltaProbe(GraphClient* client, const char* path, GraphError* error, bool* fails_sync) {
  Result<std::string> link = client->GetPages(
      path, [](const GraphPage&) { return Status::Ok(); }, error);
  if (!link.ok()) {
    *fails_sync = !GraphDeltaRefused(link.status(), *error);
    return link.status();
  }
  if (link->empty()) {
    return Status::NotFound("the answer has no @odata.deltaLink, so every sync reads all users");
  }
  return Status::Ok();
}

Result<SourceCheckReport> CheckMicrosoft365Connection(const DataSourceRow& source,
                                                      HttpClient* http,
                                                      const SourceCheckProgress& progress) {
  nlohmann::json settings = nlohmann::json::parse(source.settings, nullptr, false);
  VIGIL_ASSIGN_OR_RETURN(Microsoft365Options options, Microsoft365OptionsOf(source, settings));
  GraphClientOptions graph = options.graph;
  graph.max_attempts = 3;  // someone is waiting
  if (http == nullptr) return Status::Internal("cannot make an HTTP client");
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<GraphClient> client,
                         GraphClient::Create(options.credentials, graph, http));

  SourceCheckReport report;
  report.data_source_id = source.id;
  report.provider = source.provider;
  report.tenant_id = options.credentials.tenant_id;
  report.client_id = options.credentials.client_id;
  if (progress.started) progress.started(report);
  auto add = [&report, &progress](SourceCheck check) {
    report.checks.push_back(std::move(check));
    if (progress.checked) progress.checked(report.checks.back());
  };
  Result<std::string> token = client->AccessToken();
  add({"credentials", token.ok(), false, token.ok() ? "" : token.status().message()});
  if (token.ok()) {
    for (const Probe& probe : kProbes) {
      GraphError error;
      bool fails_sync = false;
      Status got = probe.delta ? DeltaProbe(client.get(), probe.path, &error, &fails_sync)
                               : client->Get(client->GraphUrl(probe.path), &error).status();
      SourceCheck check{probe.name, got.ok(), probe.optional && !fails_sync, ""};
      if (!got.ok()) {
        const bool denied = got.code() == Code::kPermissionDenied;
        check.detail = denied
                           ? std::string("needs ") + probe.permission + " (" + error.Summary() + ")"
                           : got.message();
        if (check.optional) check.detail += "; optional: vigil syncs without it";
        if (denied) report.missing_permissions.push_back(probe.permission);
      }
      add(std::move(check));
    }
  }
  return report;
}

}  // namespace

int SourceCheckReport::failed() const {
  return static_cast<int>(
      std::count_if(checks.begin(), checks.end(), [](const SourceCheck& c) { return !c.ok; }));
}

bool SourceCheckReport::ok() const {
  return !checks.empty() && std::all_of(checks.begin(), checks.end(),
                                        [](const SourceCheck& c) { return c.ok || c.optional; });
}

Result<SourceCheckReport> CheckSourceConnection(const DataSourceRow& source, HttpClient* http,
                                                const SourceCheckProgress& progress) {
  Result<SourceCheckReport> report = Status::FailedPrecondition(
      "data source " + std::to_string(source.id) + " (" + source.name + ") uses the " +
      source.provider +
      " provider; only microsoft365 and google_workspace data sources have a connection to test");
  if (source.provider == "microsoft365") {
    report = CheckMicrosoft365Connection(source, http, progress);
  } else if (source.provider == "google_workspace") {
    report = CheckGoogleWorkspaceConnection(source, http, progress);
  }
  if (!report.ok()) return report;
  std::vector<std::string>& missing = report->missing_permissions;
  std::sort(missing.begin(), missing.end());
  missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
  return report;
}

nlohmann::json SourceCheckJson(const SourceCheckReport& report) {
  nlohmann::json checks = nlohmann::json::array();
  for (const SourceCheck& c : report.checks) {
    checks.push_back(
        {{"name", c.name},
         {"ok", c.ok},
         {"optional", c.optional},
         {"detail", c.detail.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.detail)}});
  }
  return {{"data_source", report.data_source_id},
          {"provider", report.provider},
          {"tenant_id", report.tenant_id},
          {"client_id", report.client_id},
          {"admin_email", report.admin_email.empty() ? nlohmann::json(nullptr)
                                                     : nlohmann::json(report.admin_email)},
          {"ok", report.ok()},
          {"failed", report.failed()},
          {"missing_permissions", report.missing_permissions},
          {"checks", checks}};
}

}  // namespace vigil
