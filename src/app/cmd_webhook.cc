#include <ostream>

#include "app/api_commands.h"
#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "common/clock.h"
#include "store/secret_box.h"
#include "store/tenants.h"
#include "store/webhook_store.h"

namespace vigil {

int RunWebhookSecret(const WebhookSecretCommand& cmd, std::ostream& out, std::ostream& err) {
  if (cmd.source <= 0) {
    err << "vigil: --source: give a data source id (vigil sources lists them)\n";
    return kExitUsage;
  }
  // The key first: without it nothing is stored.
  Result<SecretKey> key = LoadSecretKey();
  if (!key.ok()) {
    err << "vigil: " << key.status().message() << "\n";
    return kExitFailed;
  }
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  Result<DataSourceRow> source = GetDataSource(db.get(), cmd.source);
  if (!source.ok()) {
    err << "vigil: " << source.status().message() << "\n";
    return kExitFailed;
  }
  std::unique_ptr<Clock> clock = NewSystemClock();
  Result<std::string> secret = CreateWebhookSecret(db.get(), source->id, *key, clock->NowMs());
  if (!secret.ok()) {
    err << "vigil: " << secret.status().message() << "\n";
    return kExitFailed;
  }
  out << *secret << "\n";
  ScrubString(&*secret);
  const std::string id = std::to_string(source->id);
  err << "webhook secret of data source " << id << " (\"" << source->name
      << "\"); it is shown only now, and a secret made before for it no longer verifies.\n"
      << "To trigger a sync, POST /hooks/" << id << " with the headers\n"
      << "  Vigil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" keyed with "
         "this secret>\n"
      << "  Vigil-Delivery: <a unique id per delivery> (optional; a repeated id is refused)\n"
      << "t must be within 5 minutes of the server's clock, e.g.\n"
      << "  t=$(date +%s); sig=$(printf '%s.%s' \"$t\" \"$BODY\" | openssl dgst -sha256 -hmac "
         "\"$SECRET\" -r | cut -d' ' -f1)\n";
  return kExitOk;
}

void AddWebhookCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<WebhookSecretCommand>();
  CLI::App* webhook =
      app.add_subcommand("webhook", "manage the secrets webhooks are signed with");
  webhook->require_subcommand(1);
  CLI::App* c = webhook->add_subcommand(
      "secret",
      "create or rotate a data source's webhook secret and print it (on stdout, once);\n"
      "POST /hooks/<source id> deliveries must be signed with it. Needs the secret key\n"
      "(VIGIL_SECRET_KEY or VIGIL_SECRET_KEY_FILE), which seals it in the database");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--source", cmd->source, "the data source's id (vigil sources lists them)")
      ->required();
  OnRun(c, cmd, cli, RunWebhookSecret);
}

}  // namespace vigil
