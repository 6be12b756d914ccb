#include "app/cli_api.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

#include "app/api_commands.h"
#include "app/cli_support.h"

namespace vigil {
namespace {

struct ApiCommandArgs {
  TokenCreateCommand create;
  TokensCommand list;
  TokenRevokeCommand revoke;
  WebhookSecretCommand webhook_secret;
};

constexpr const char* kTokenFooter =
    "An API token is \"vigil_\" and 64 hex digits (256 random bits). It is printed once, when\n"
    "it is made; only its SHA-256 is stored. Send it as \"Authorization: Bearer <token>\".\n"
    "A tenant token sees only its tenant; an admin token sees every tenant and may create\n"
    "tenants.";

}  // namespace

void AddApiCommands(CLI::App* app, int* status, std::ostream& out, std::ostream& err) {
  // Kept alive by the callbacks below, which the app owns.
  auto args = std::make_shared<ApiCommandArgs>();

  auto* token = app->add_subcommand("token", "manage the HTTP API's bearer tokens");
  token->require_subcommand(1);
  token->footer(kTokenFooter);

  TokenCreateCommand& create = args->create;
  auto* c = token->add_subcommand(
      "create",
      "make a new API token and print it (on stdout, alone, once); give exactly one of\n"
      "--tenant and --admin");
  c->add_option("--db", create.db, kDbHelp)->capture_default_str();
  c->add_option("--name", create.name, "what the token is for (1 to 64 printable characters)")
      ->required();
  auto* tenant = c->add_option("--tenant", create.tenant,
                               "the tenant the token may see (and only it); must exist");
  auto* admin = c->add_flag("--admin", create.admin, "a token that sees every tenant");
  tenant->excludes(admin);
  c->footer(kTokenFooter);
  c->callback([args, status, &out, &err] { *status = RunTokenCreate(args->create, out, err); });

  TokenRevokeCommand& revoke = args->revoke;
  auto* r = token->add_subcommand("revoke", "revoke an API token: it stops working at once");
  r->add_option("--db", revoke.db, kDbHelp)->capture_default_str();
  r->add_option("ID", revoke.id, "the token's id (vigil tokens lists them)")->required();
  r->callback([args, status, &out, &err] { *status = RunTokenRevoke(args->revoke, out, err); });

  TokensCommand& list = args->list;
  auto* l = app->add_subcommand(
      "tokens", "list API tokens: id, name, tenant, created, revoked (never the token)");
  l->add_option("--db", list.db, kDbHelp)->capture_default_str();
  l->add_flag("--json", list.json, "print a JSON array");
  l->callback([args, status, &out, &err] { *status = RunTokens(args->list, out, err); });

  auto* webhook = app->add_subcommand("webhook", "manage the secrets webhooks are signed with");
  webhook->require_subcommand(1);
  WebhookSecretCommand& secret = args->webhook_secret;
  auto* s = webhook->add_subcommand(
      "secret",
      "create or rotate a data source's webhook secret and print it (on stdout, once);\n"
      "POST /hooks/<source id> deliveries must be signed with it. Needs the secret key\n"
      "(VIGIL_SECRET_KEY or VIGIL_SECRET_KEY_FILE), which seals it in the database");
  s->add_option("--db", secret.db, kDbHelp)->capture_default_str();
  s->add_option("--source", secret.source, "the data source's id (vigil sources lists them)")
      ->required();
  s->callback(
      [args, status, &out, &err] { *status = RunWebhookSecret(args->webhook_secret, out, err); });
}

}  // namespace vigil
