#include "pipeline/google_source_check.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/google_workspace_source.h"
#include "providers/google_client.h"
#include "providers/google_workspace_provider.h"

namespace vigil {
namespace {

struct GoogleProbe {
  std::string name;
  std::string url;
  std::string_view scope;
};

std::vector<GoogleProbe> Probes(const GoogleWorkspaceOptions& options) {
  std::vector<GoogleProbe> probes = {
      {"users", GoogleUsersUrl(options, 1), kGoogleUserScope},
      {"roles", GoogleRolesUrl(options, 1), kGoogleRoleScope},
      {"role assignments", GoogleRoleAssignmentsUrl(options, 1), kGoogleRoleScope},
  };
  for (const std::string& product : options.products) {
    probes.push_back({options.products.size() == 1 ? "licenses" : "licenses (" + product + ")",
                      GoogleLicensesUrl(options, product, 1), kGoogleLicenseScope});
  }
  return probes;
}

}  // namespace

Result<SourceCheckReport> CheckGoogleWorkspaceConnection(const DataSourceRow& source,
                                                         HttpClient* http,
                                                         const SourceCheckProgress& progress) {
  nlohmann::json settings = nlohmann::json::parse(source.settings, nullptr, false);
  VIGIL_ASSIGN_OR_RETURN(GoogleWorkspaceOptions options, GoogleWorkspaceOptionsOf(source, settings));
  options.google.max_attempts = 3;  // someone is waiting
  if (http == nullptr) return Status::Internal("cannot make an HTTP client");
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<GoogleClient> client,
                         GoogleClient::Create(options.credentials, options.google, http));
  options.google = client->options();  // the URLs as the client resolved them

  SourceCheckReport report;
  report.data_source_id = source.id;
  report.provider = source.provider;
  report.tenant_id = options.customer_id.empty() ? "my_customer" : options.customer_id;
  report.client_id = options.credentials.key.client_email;
  report.admin_email = options.credentials.admin_email;
  if (progress.started) progress.started(report);
  auto add = [&report, &progress](SourceCheck check) {
    report.checks.push_back(std::move(check));
    if (progress.checked) progress.checked(report.checks.back());
  };
  Result<std::string> token = client->AccessToken();
  add({"credentials", token.ok(), false, token.ok() ? "" : token.status().message()});
  if (!token.ok()) return report;
  for (const GoogleProbe& probe : Probes(options)) {
    GoogleError error;
    Status got = client->Get(probe.url, &error).status();
    SourceCheck check{probe.name, got.ok(), false, ""};
    if (!got.ok()) {
      const bool denied = got.code() == Code::kPermissionDenied && error.http_status == 403;
      check.detail = denied ? "needs scope " + std::string(probe.scope) + " (" +
                                  error.Summary() + ")"
                            : got.message();
      if (denied) report.missing_permissions.push_back(std::string(probe.scope));
    }
    add(std::move(check));
  }
  return report;
}

}  // namespace vigil
