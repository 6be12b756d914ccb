#include <nlohmann/json.hpp>
#include <ostream>

#include "app/api_commands.h"
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
  std::unique_ptr<Db> db = OpenDatabaseOrReport(cmd.db, err);
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
  std::unique_ptr<Db> db = OpenDatabaseOrReport(cmd.db, err);
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

}  // namespace vigil
