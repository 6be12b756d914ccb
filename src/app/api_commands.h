// The HTTP API's credentials on the command line: API tokens (`vigil token
// create`, `vigil tokens`, `vigil token revoke`; cmd_token.cc) and webhook
// secrets (`vigil webhook secret`; cmd_webhook.cc). Each file also registers
// its command's flags, which fill these option structs (cli_commands.h).
// Each Run function returns the process exit status (commands.h: 0 ok, 1 the
// operation failed, 2 bad usage) and writes results to `out`, errors to
// `err` prefixed "vigil: ".
//
// A token or a webhook secret is printed exactly once, alone on `out`, when
// it is made (so `TOKEN=$(vigil token create ...)` captures it); nothing
// else ever prints one, nor a token's hash.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "app/commands.h"  // kExitOk, kExitFailed, kExitUsage

namespace vigil {

// `vigil token create --name N (--tenant T | --admin)`: a new API token for
// tenant T (which must exist; exit 1 naming it otherwise), or an admin
// token that sees every tenant. Exactly one of --tenant and --admin (exit 2
// otherwise). Prints the token on `out`; on `err`
//   created API token <id> "<name>" for tenant <T>; it is shown only now
// (for an admin token: "... for every tenant (admin); ...").
struct TokenCreateCommand {
  std::string db = "vigil.db";
  std::string name;
  std::string tenant;
  bool admin = false;
};
int RunTokenCreate(const TokenCreateCommand& cmd, std::ostream& out, std::ostream& err);

// `vigil tokens`: every token, revoked ones too, by id: id, name, tenant
// ("(admin)" for an admin token), created, revoked. With --json an array of
// {"id", "name", "tenant" (null for admin), "admin", "created_at",
// "revoked_at" (null while valid)}.
struct TokensCommand {
  std::string db = "vigil.db";
  bool json = false;
};
int RunTokens(const TokensCommand& cmd, std::ostream& out, std::ostream& err);

// `vigil token revoke ID`: the token stops authenticating at once. Exit 1
// "no API token with id N" for an unknown id; revoking twice is fine.
struct TokenRevokeCommand {
  std::string db = "vigil.db";
  int64_t id = 0;
};
int RunTokenRevoke(const TokenRevokeCommand& cmd, std::ostream& out, std::ostream& err);

// `vigil webhook secret --source ID`: creates the data source's webhook
// secret, or rotates it (the old one stops verifying at once). Needs the
// secret key (VIGIL_SECRET_KEY or VIGIL_SECRET_KEY_FILE) to seal it.
// Prints the secret on `out` and how to sign a delivery on `err`.
struct WebhookSecretCommand {
  std::string db = "vigil.db";
  int64_t source = 0;
};
int RunWebhookSecret(const WebhookSecretCommand& cmd, std::ostream& out, std::ostream& err);

}  // namespace vigil
