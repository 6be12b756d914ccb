#include "app/cli_source.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

#include "app/cli_support.h"
#include "app/source_commands.h"

namespace vigil {
namespace {

struct SourceCommandArgs {
  KeyGenerateCommand key_generate;
  SourceAddCommand add;
  SourcesCommand sources;
  SourceTestCommand test;
};

constexpr const char* kKeyFooter =
    "The secret key seals client secrets before they are stored (libsodium secretbox).\n"
    "vigil reads it from VIGIL_SECRET_KEY (the key itself: 64 hex digits or base64 of\n"
    "32 bytes) or else from the file VIGIL_SECRET_KEY_FILE names, which must be readable\n"
    "by its owner only (mode 0600). Make one with `vigil key generate --out FILE`, then\n"
    "set VIGIL_SECRET_KEY_FILE=FILE wherever vigil runs (serve, worker, source add).\n"
    "Keep a copy: secrets sealed with a lost key must be added again.";

}  // namespace

void AddSourceCommands(CLI::App* app, int* status, std::ostream& out, std::ostream& err) {
  // Kept alive by the callbacks below, which the app owns.
  auto args = std::make_shared<SourceCommandArgs>();

  auto* key = app->add_subcommand("key", "manage the secret key that seals data source secrets");
  key->require_subcommand(1);
  key->footer(kKeyFooter);
  KeyGenerateCommand& generate = args->key_generate;
  auto* g = key->add_subcommand(
      "generate", "write a new random secret key to a file (mode 0600; never overwrites)");
  g->add_option("--out", generate.out, "the key file to create; must not exist")->required();
  g->footer(kKeyFooter);
  g->callback(
      [args, status, &out, &err] { *status = RunKeyGenerate(args->key_generate, out, err); });

  auto* source = app->add_subcommand("source", "connect a tenant's data sources");
  source->require_subcommand(1);
  source->footer(kKeyFooter);
  SourceAddCommand& add = args->add;
  auto* a = source->add_subcommand(
      "add",
      "add a data source to a tenant (the tenant is created when new) and schedule its\n"
      "syncs; prints its id. Adding a data source that exists (same tenant and name)\n"
      "replaces its settings, e.g. to rotate a client secret. Nothing is stored when a\n"
      "flag, the key or the secret file is wrong");
  a->add_option("--db", add.db, kDbHelp)->capture_default_str();
  a->add_option("--tenant", add.tenant, "tenant name (letters, digits, . - _)")->required();
  a->add_option("--provider", add.provider,
                "microsoft365 (live Microsoft Graph, app registration with client credentials)\n"
                "or graph_json (a directory of Graph responses)")
      ->required();
  a->add_option("--name", add.name,
                "data source name within the tenant (default: microsoft365, or graph for\n"
                "graph_json)");
  a->add_option("--tenant-id", add.tenant_id,
                "microsoft365: the Entra ID tenant, a GUID or a domain such as\n"
                "contoso.onmicrosoft.com");
  a->add_option("--client-id", add.client_id,
                "microsoft365: the app registration's application (client) id");
  a->add_option("--client-secret-file", add.client_secret_file,
                "microsoft365: a file holding the client secret (one line; a trailing newline\n"
                "is ignored). The secret is sealed with the secret key before it is stored and\n"
                "is never printed; the file is only read");
  a->add_option("--cloud", add.cloud,
                "microsoft365: the Microsoft cloud the tenant lives in, which sets the token\n"
                "endpoint and the Graph URL together: global (the default; GCC tenants too),\n"
                "usgov (GCC High: login.microsoftonline.us, graph.microsoft.us), usgovdod\n"
                "(DoD: dod-graph.microsoft.us) or china (21Vianet: login.chinacloudapi.cn,\n"
                "microsoftgraph.chinacloudapi.cn). Not with --authority-url/--graph-url");
  a->add_option("--authority-url", add.authority_url,
                "microsoft365: base URL of the token endpoint, for endpoints no --cloud names\n"
                "(default: Microsoft's global cloud); http:// only for a loopback host");
  a->add_option("--graph-url", add.graph_url,
                "microsoft365: base URL of Microsoft Graph, for endpoints no --cloud names\n"
                "(default: Microsoft's global cloud); tokens are asked for its origin +\n"
                "/.default; http:// only for a loopback host");
  a->add_option("--dir", add.dir, "graph_json: the directory of Graph responses");
  a->add_option("--every", add.every,
                "sync interval under `vigil serve`, e.g. 15m, 1h, 1d (at least 1m; default 1h\n"
                "for a new data source, unchanged for an existing one)");
  a->footer(kKeyFooter);
  a->callback([args, status, &out, &err] { *status = RunSourceAdd(args->add, out, err); });

  SourcesCommand& sources = args->sources;
  auto* s = app->add_subcommand(
      "sources",
      "list data sources: settings (secrets shown as (sealed)), schedule, last sync, and\n"
      "the kinds of data a source could not give, with the reason");
  s->add_option("--db", sources.db, kDbHelp)->capture_default_str();
  s->add_option("--tenant", sources.tenant, "only this tenant's data sources");
  s->add_flag("--json", sources.json, "print a JSON array");
  s->callback([args, status, &out, &err] { *status = RunSources(args->sources, out, err); });

  SourceTestCommand& test = args->test;
  auto* t = source->add_subcommand(
      "test",
      "check a microsoft365 data source: its credentials (a token from the identity\n"
      "platform), then one small Graph request per endpoint vigil reads, naming each\n"
      "application permission the app registration lacks. Exit 0 when every required\n"
      "check passes (optional ones: sign-in activity, users delta, groups), 1 otherwise.");
  t->add_option("--db", test.db, kDbHelp)->capture_default_str();
  t->add_option("ID", test.id, "the data source id (`vigil sources` lists them)")->required();
  t->footer(kKeyFooter);
  t->callback([args, status, &out, &err] { *status = RunSourceTest(args->test, out, err); });
}

}  // namespace vigil
