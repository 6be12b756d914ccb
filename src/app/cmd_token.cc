#include <nlohmann/json.hpp>
#include <ostream>

#include "app/api_commands.h"
#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/table.h"
#include "common/clock.h"
#include "common/time.h"
#include "store/api_tokens.h"

namespace vigil {

int RunTokenCreate(const TokenCreateCommand& cmd, std::ostream& out, std::ostream& err) {
  if (cmd.admin == !cmd.tenant.empty()) {
    err << "vigil: token create: give exactly one of --tenant T (a token that sees tenant T "
           "only) and --admin (a token that sees every tenant)\n";
    return kExitUsage;
  }
  std::unique_ptr<Db> db = OpenDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  std::optional<int64_t> tenant_id;
  if (!cmd.admin) {
    std::optional<TenantRow> tenant = FindTenantOrReport(db.get(), cmd.tenant, err);
    if (!tenant) return kExitFailed;
    tenant_id = tenant->id;
  }
  std::unique_ptr<Clock> clock = NewSystemClock();
  Result<NewApiToken> created = CreateApiToken(db.get(), cmd.name, tenant_id, clock->NowMs());
  if (!created.ok()) {
    err << "vigil: " << created.status().message() << "\n";
    return created.status().code() == Code::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  out << created->token << "\n";
  err << "created API token " << created->row.id << " \"" << created->row.name << "\" for "
      << (cmd.admin ? "every tenant (admin)" : "tenant " + created->row.tenant)
      << "; it is shown only now\n";
  return kExitOk;
}

int RunTokens(const TokensCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  Result<std::vector<ApiTokenRow>> tokens = ListApiTokens(db.get());
  if (!tokens.ok()) {
    err << "vigil: " << tokens.status().message() << "\n";
    return kExitFailed;
  }
  if (cmd.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const ApiTokenRow& t : *tokens) {
      const bool admin = !t.tenant_id.has_value();
      rows.push_back({{"id", t.id},
                      {"name", t.name},
                      {"tenant", admin ? nlohmann::json(nullptr) : nlohmann::json(t.tenant)},
                      {"admin", admin},
                      {"created_at", FormatIso8601(t.created_at)},
                      {"revoked_at", t.revoked_at ? nlohmann::json(FormatIso8601(*t.revoked_at))
                                                  : nlohmann::json(nullptr)}});
    }
    out << rows.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  if (tokens->empty()) {
    out << "no API tokens (vigil token create --name N --tenant T | --admin)\n";
    return kExitOk;
  }
  Table table({"ID", "NAME", "TENANT", "CREATED", "REVOKED"});
  for (const ApiTokenRow& t : *tokens) {
    table.AddRow({std::to_string(t.id), t.name, t.tenant_id ? t.tenant : "(admin)",
                  FormatIso8601(t.created_at), t.revoked_at ? FormatIso8601(*t.revoked_at) : "-"});
  }
  out << table.Render();
  return kExitOk;
}

int RunTokenRevoke(const TokenRevokeCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  std::unique_ptr<Clock> clock = NewSystemClock();
  Status revoked = RevokeApiToken(db.get(), cmd.id, clock->NowMs());
  if (!revoked.ok()) {
    err << "vigil: " << revoked.message() << "\n";
    return kExitFailed;
  }
  out << "revoked API token " << cmd.id << "\n";
  return kExitOk;
}

namespace {

constexpr const char* kTokenFooter =
    "An API token is \"vigil_\" and 64 hex digits (256 random bits). It is printed once, when\n"
    "it is made; only its SHA-256 is stored. Send it as \"Authorization: Bearer <token>\".\n"
    "A tenant token sees only its tenant; an admin token sees every tenant and may create\n"
    "tenants.";

void AddTokenCreateCommand(CLI::App& token, CommandContext* cli) {
  auto cmd = std::make_shared<TokenCreateCommand>();
  CLI::App* c = token.add_subcommand(
      "create",
      "make a new API token and print it (on stdout, alone, once); give exactly one of\n"
      "--tenant and --admin");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--name", cmd->name, "what the token is for (1 to 64 printable characters)")
      ->required();
  CLI::Option* tenant = c->add_option("--tenant", cmd->tenant,
                                      "the tenant the token may see (and only it); must exist");
  CLI::Option* admin = c->add_flag("--admin", cmd->admin, "a token that sees every tenant");
  tenant->excludes(admin);
  c->footer(kTokenFooter);
  OnRun(c, cmd, cli, RunTokenCreate);
}

void AddTokenRevokeCommand(CLI::App& token, CommandContext* cli) {
  auto cmd = std::make_shared<TokenRevokeCommand>();
  CLI::App* c = token.add_subcommand("revoke", "revoke an API token: it stops working at once");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("ID", cmd->id, "the token's id (vigil tokens lists them)")->required();
  OnRun(c, cmd, cli, RunTokenRevoke);
}

}  // namespace

void AddTokenCommand(CLI::App& app, CommandContext* cli) {
  CLI::App* token = app.add_subcommand("token", "manage the HTTP API's bearer tokens");
  token->require_subcommand(1);
  token->footer(kTokenFooter);
  AddTokenCreateCommand(*token, cli);
  AddTokenRevokeCommand(*token, cli);
}

void AddTokensCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<TokensCommand>();
  CLI::App* c = app.add_subcommand(
      "tokens", "list API tokens: id, name, tenant, created, revoked (never the token)");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_flag("--json", cmd->json, "print a JSON array");
  OnRun(c, cmd, cli, RunTokens);
}

}  // namespace vigil
