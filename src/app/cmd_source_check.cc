// `vigil source test ID`: checks a microsoft365 data source's credentials
// and, one small request per endpoint of the Graph directory table, which
// permissions the app registration lacks.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "app/cli_support.h"
#include "app/commands.h"
#include "app/microsoft365_source.h"
#include "app/source_commands.h"
#include "providers/graph_client.h"
#include "store/tenants.h"

namespace vigil {
namespace {

struct Probe {
  const char* name;        // what the user reads
  const char* path;        // below graph_url
  const char* permission;  // the application permission it needs
  bool optional;           // vigil syncs without it
};

constexpr Probe kProbes[] = {
    {"users", "/users?$select=id,userPrincipalName&$top=1", "User.Read.All", false},
    {"sign-in activity", "/users?$select=id,signInActivity&$top=1",
     "AuditLog.Read.All (and an Entra ID P1 tenant)", true},
    {"users delta", "/users/delta?$select=id&$deltatoken=latest", "User.Read.All", true},
    {"licenses", "/subscribedSkus", "Organization.Read.All", false},
    {"MFA registration", "/reports/authenticationMethods/userRegistrationDetails?$top=1",
     "AuditLog.Read.All", false},
    {"directory roles", "/roleManagement/directory/roleAssignments?$expand=principal&$top=1",
     "RoleManagement.Read.Directory", false},
    {"conditional access", "/identity/conditionalAccess/policies?$top=1", "Policy.Read.All",
     false},
    {"security defaults", "/policies/identitySecurityDefaultsEnforcementPolicy",
     "Policy.Read.All", false},
    {"groups", "/groups?$top=1", "Group.Read.All", true},
};

struct Outcome {
  std::string check;
  bool ok = false;
  std::string detail;
};

void Print(const Outcome& o, std::ostream& out) {
  std::string name = o.check;
  name.resize(std::max<size_t>(name.size(), 20), ' ');
  out << "  " << name << (o.ok ? "ok" : "MISSING") << (o.detail.empty() ? "" : ": ") << o.detail
      << "\n";
}

}  // namespace

int RunSourceTest(const SourceTestCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  Result<DataSourceRow> source = GetDataSource(db.get(), cmd.id);
  if (!source.ok()) {
    err << "vigil: " << source.status().message() << "\n";
    return kExitFailed;
  }
  if (source->provider != "microsoft365") {
    err << "vigil: data source " << cmd.id << " (" << source->name << ") uses the "
        << source->provider << " provider; `source test` checks microsoft365 sources\n";
    return kExitFailed;
  }
  nlohmann::json settings = nlohmann::json::parse(source->settings, nullptr, false);
  Result<Microsoft365Options> options = Microsoft365OptionsOf(*source, settings);
  if (!options.ok()) {
    err << "vigil: " << options.status().message() << "\n";
    return kExitFailed;
  }
  GraphClientOptions graph = options->graph;
  graph.max_attempts = 3;  // an operator is waiting
  std::shared_ptr<HttpClient> http = SharedGraphHttpClient();
  if (!http) {
    err << "vigil: cannot make an HTTP client\n";
    return kExitFailed;
  }
  Result<std::unique_ptr<GraphClient>> client =
      GraphClient::Create(options->credentials, graph, http.get());
  if (!client.ok()) {
    err << "vigil: " << client.status().message() << "\n";
    return kExitFailed;
  }

  out << "data source " << source->id << " \"" << source->name << "\": tenant "
      << options->credentials.tenant_id << ", app " << options->credentials.client_id << "\n";
  std::vector<Outcome> outcomes;
  Result<std::string> token = (*client)->AccessToken();
  outcomes.push_back({"credentials", token.ok(), token.ok() ? "" : token.status().message()});
  Print(outcomes.back(), out);
  std::vector<std::string> missing;
  bool required_missing = !token.ok();
  if (token.ok()) {
    for (const Probe& probe : kProbes) {
      GraphError error;
      Result<HttpResponse> got = (*client)->Get((*client)->GraphUrl(probe.path), &error);
      Outcome o{probe.name, got.ok(), ""};
      if (!got.ok()) {
        const bool denied = got.status().code() == Code::kPermissionDenied;
        o.detail = denied ? std::string("needs ") + probe.permission + " (" +
                                error.Summary() + ")"
                          : got.status().message();
        if (probe.optional) o.detail += "; optional: vigil syncs without it";
        if (denied) missing.push_back(probe.permission);
        if (!probe.optional) required_missing = true;
      }
      outcomes.push_back(o);
      Print(o, out);
    }
  }
  int failed = 0;
  for (const Outcome& o : outcomes) failed += o.ok ? 0 : 1;
  if (failed == 0) {
    out << "all " << outcomes.size() << " checks passed\n";
    return kExitOk;
  }
  out << failed << " of " << outcomes.size() << " checks failed"
      << (required_missing ? "" : " (optional ones only: the sync works without them)");
  std::sort(missing.begin(), missing.end());
  missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
  for (size_t i = 0; i < missing.size(); ++i) {
    out << (i == 0 ? "; grant the app registration: " : ", ") << missing[i];
  }
  out << "\n";
  return required_missing ? kExitFailed : kExitOk;
}

}  // namespace vigil
