#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "api/source_json.h"
#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/secret_file.h"
#include "app/commands.h"
#include "pipeline/source_add.h"
#include "app/source_commands.h"
#include "app/table.h"
#include "common/duration.h"
#include "common/time.h"
#include "store/secret_box.h"
#include "store/tenants.h"

namespace vigil {
namespace {


// ---- showing `sources` ---------------------------------------------------

// "client_id=..., client_secret=(sealed), tenant_id=...".
std::string SettingsLine(const nlohmann::json& settings) {
  std::string line;
  for (const auto& [key, value] : settings.items()) {
    if (!line.empty()) line += ", ";
    line += key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return line.empty() ? "(none)" : line;
}

// Whole seconds, so the table's columns line up.
std::string ShownTime(TimeMs t) { return FormatIso8601(t - t % 1000); }

// The table, each data source's row followed by its detail lines.
std::string RenderSources(const std::vector<SourceView>& views) {
  Table table({"ID", "TENANT", "SOURCE", "PROVIDER", "EVERY", "NEXT RUN", "LAST SYNC", "STATUS"});
  for (const SourceView& v : views) {
    std::string every = "-", next = "-";
    if (v.schedule) {
      every = FormatDuration(v.schedule->interval_ms);
      if (v.schedule->window) every += " in " + FormatOffPeakWindow(*v.schedule->window);
      if (!v.schedule->enabled) every += " (off)";
      next = ShownTime(v.schedule->next_run_at);
    }
    table.AddRow({std::to_string(v.row.id), v.tenant, v.row.name, v.row.provider, every, next,
                  v.row.last_sync_at ? ShownTime(*v.row.last_sync_at) : "never",
                  v.row.last_sync_status.empty() ? "-" : v.row.last_sync_status});
  }
  const std::string rendered = table.Render();
  std::string out;
  size_t start = 0;
  for (size_t line = 0; start < rendered.size(); ++line) {
    const size_t end = rendered.find('\n', start) + 1;
    out.append(rendered, start, end - start);
    start = end;
    if (line == 0) continue;
    const SourceView& v = views[line - 1];
    out += "    settings: " + SettingsLine(RedactedSettings(v.row.settings)) + "\n";
    if (!v.row.last_sync_error.empty()) out += "    error: " + v.row.last_sync_error + "\n";
    for (const KindAvailability& a : v.missing) {
      out += "    not available: " + a.kind + ": " + a.reason + "\n";
    }
  }
  return out;
}

}  // namespace

int RunSourceAdd(const SourceAddCommand& cmd, std::ostream& out, std::ostream& err) {
  SourceSpec spec;
  spec.tenant = cmd.tenant;
  spec.provider = cmd.provider;
  spec.name = cmd.name;
  spec.tenant_id = cmd.tenant_id;
  spec.client_id = cmd.client_id;
  spec.has_client_secret = !cmd.client_secret_file.empty();
  spec.cloud = cmd.cloud;
  spec.authority_url = cmd.authority_url;
  spec.graph_url = cmd.graph_url;
  spec.dir = cmd.dir;
  spec.customer_id = cmd.customer_id;
  spec.admin_email = cmd.admin_email;
  spec.has_service_account_key = !cmd.service_account_key_file.empty();
  spec.token_url = cmd.token_url;
  spec.api_url = cmd.api_url;
  spec.licensing_url = cmd.licensing_url;
  spec.every = cmd.every;
  Result<CheckedSource> checked = CheckSourceSpec(spec, FieldStyle::kFlags);
  if (!checked.ok()) {
    err << "vigil: " << checked.status().message() << "\n";
    return kExitUsage;
  }
  Result<std::string> settings = SourceSettings(spec, *checked, FieldStyle::kFlags, [&cmd] {
    if (cmd.provider == kGoogleWorkspaceProvider) {
      return ReadSecretFile("--service-account-key-file", cmd.service_account_key_file,
                            "service account key", /*multi_line=*/true);
    }
    return ReadSecretFile("--client-secret-file", cmd.client_secret_file, "client secret");
  });
  if (!settings.ok()) {
    err << "vigil: " << settings.status().message() << "\n";
    return kExitFailed;
  }
  const std::string& name = checked->name;

  std::unique_ptr<Db> db = OpenDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  const TimeMs now = NewSystemClock()->NowMs();
  Result<StoredSource> stored =
      StoreDataSource(db.get(), cmd.tenant, name, cmd.provider, *settings, checked->every_ms, now);
  if (!stored.ok()) {
    err << "vigil: " << cmd.tenant << ": " << stored.status().message() << "\n";
    return kExitFailed;
  }
  const std::string what =
      "data source \"" + name + "\" (" + cmd.provider + ") of tenant \"" + cmd.tenant + "\"";
  const std::string when = "`vigil serve` syncs it every " +
                           FormatDuration(stored->schedule.interval_ms) + ", next at " +
                           ShownTime(stored->schedule.next_run_at);
  out << stored->source.id << "\n";
  if (!stored->existed) {
    err << "added " << what << "; " << when << "\n";
  } else if (stored->settings_changed) {
    err << "updated the settings of " << what
        << (cmd.provider == kMicrosoft365Provider       ? " (client secret sealed anew)"
            : cmd.provider == kGoogleWorkspaceProvider ? " (service account key sealed anew)"
                                                       : "")
        << "; "
        << when << "\n";
  } else {
    err << what << " exists with these settings already; " << when << "\n";
  }
  return kExitOk;
}

int RunSources(const SourcesCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  std::optional<TenantRow> tenant;
  if (!cmd.tenant.empty()) {
    tenant = FindTenantOrReport(db.get(), cmd.tenant, err);
    if (!tenant) return kExitFailed;
  }
  Result<std::vector<SourceView>> views = LoadSourceViews(db.get(), tenant ? tenant->id : 0);
  if (!views.ok()) {
    err << "vigil: " << views.status().message() << "\n";
    return kExitFailed;
  }
  if (cmd.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const SourceView& v : *views) arr.push_back(SourceJson(v));
    out << arr.dump(2) << "\n";
    return kExitOk;
  }
  if (views->empty()) {
    out << "no data sources" << (tenant ? " for tenant \"" + tenant->name + "\"" : "")
        << " (add one with `vigil source add`)\n";
    return kExitOk;
  }
  out << RenderSources(*views);
  return kExitOk;
}

void AddSourceCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<SourceAddCommand>();
  CLI::App* source = app.add_subcommand("source", "connect a tenant's data sources");
  source->require_subcommand(1);
  source->footer(kSecretKeyFooter);
  CLI::App* c = source->add_subcommand(
      "add",
      "add a data source to a tenant (the tenant is created when new) and schedule its\n"
      "syncs; prints its id. Adding a data source that exists (same tenant and name)\n"
      "replaces its settings, e.g. to rotate a client secret. Nothing is stored when a\n"
      "flag, the key or the secret file is wrong");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--tenant", cmd->tenant, "tenant name (letters, digits, . - _)")->required();
  c->add_option("--provider", cmd->provider,
                "microsoft365 (live Microsoft Graph, app registration with client credentials),\n"
                "graph_json (a directory of Graph responses), google_workspace (live Google\n"
                "Workspace, service account with domain-wide delegation) or google_json (a\n"
                "directory of Google Workspace Admin SDK answers)")
      ->required();
  c->add_option("--name", cmd->name,
                "data source name within the tenant (default: the provider's name; graph for\n"
                "graph_json, google for google_json)");
  c->add_option("--tenant-id", cmd->tenant_id,
                "microsoft365: the Entra ID tenant, a GUID or a domain such as\n"
                "contoso.onmicrosoft.com");
  c->add_option("--client-id", cmd->client_id,
                "microsoft365: the app registration's application (client) id");
  c->add_option("--client-secret-file", cmd->client_secret_file,
                "microsoft365: a file holding the client secret (one line; a trailing newline\n"
                "is ignored). The secret is sealed with the secret key before it is stored and\n"
                "is never printed; the file is only read");
  c->add_option("--cloud", cmd->cloud,
                "microsoft365: the Microsoft cloud the tenant lives in, which sets the token\n"
                "endpoint and the Graph URL together: global (the default; GCC tenants too),\n"
                "usgov (GCC High: login.microsoftonline.us, graph.microsoft.us), usgovdod\n"
                "(DoD: dod-graph.microsoft.us) or china (21Vianet: login.chinacloudapi.cn,\n"
                "microsoftgraph.chinacloudapi.cn). Not with --authority-url/--graph-url");
  c->add_option("--authority-url", cmd->authority_url,
                "microsoft365: base URL of the token endpoint, for endpoints no --cloud names\n"
                "(default: Microsoft's global cloud); http:// only for a loopback host");
  c->add_option("--graph-url", cmd->graph_url,
                "microsoft365: base URL of Microsoft Graph, for endpoints no --cloud names\n"
                "(default: Microsoft's global cloud); tokens are asked for its origin +\n"
                "/.default; http:// only for a loopback host");
  c->add_option("--dir", cmd->dir,
                "graph_json: the directory of Graph responses; google_json: of Google\n"
                "Workspace answers (vigil generate --provider google_workspace writes one)");
  c->add_option("--customer-id", cmd->customer_id,
                "google_workspace: the Workspace customer id (C0...; default my_customer, the\n"
                "admin's own, and the admin's domain for licenses)");
  c->add_option("--admin-email", cmd->admin_email,
                "google_workspace: the administrator the service account acts as");
  c->add_option("--service-account-key-file", cmd->service_account_key_file,
                "google_workspace: the service account's JSON key file (domain-wide\n"
                "delegation); checked, then sealed with vigil's secret key");
  c->add_option("--token-url", cmd->token_url,
                "google_workspace: the OAuth token endpoint (default: the key's token_uri)");
  c->add_option("--api-url", cmd->api_url,
                "google_workspace: base URL of the Admin SDK (default https://admin.googleapis.com)");
  c->add_option("--licensing-url", cmd->licensing_url,
                "google_workspace: base URL of the License Manager\n"
                "(default https://licensing.googleapis.com)");
  c->add_option("--every", cmd->every,
                "sync interval under `vigil serve`, e.g. 15m, 1h, 1d (at least 1m; default 1h\n"
                "for a new data source, unchanged for an existing one)");
  c->footer(kSecretKeyFooter);
  OnRun(c, cmd, cli, RunSourceAdd);
  AddSourceTestCommand(*source, cli);
}

void AddSourcesCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<SourcesCommand>();
  CLI::App* c = app.add_subcommand(
      "sources",
      "list data sources: settings (secrets shown as (sealed)), schedule, last sync, and\n"
      "the kinds of data a source could not give, with the reason");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--tenant", cmd->tenant, "only this tenant's data sources");
  c->add_flag("--json", cmd->json, "print a JSON array");
  OnRun(c, cmd, cli, RunSources);
}

}  // namespace vigil
