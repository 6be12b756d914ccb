#include <ostream>

#include "alerts/alert_json.h"
#include "alerts/alert_store.h"
#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/table.h"
#include "common/time.h"

namespace vigil {

int RunAlerts(const AlertsCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  AlertFilter filter;
  if (!cmd.tenant.empty()) filter.tenant = cmd.tenant;
  if (!cmd.type.empty()) filter.type = cmd.type;
  filter.state = ParseAlertStateFilter(cmd.state).value_or(AlertStateFilter::kOpen);
  Result<std::vector<AlertRow>> alerts = ListAlerts(db.get(), filter);
  if (!alerts.ok()) {
    err << "vigil: " << alerts.status().message() << "\n";
    return kExitFailed;
  }
  if (cmd.json) {
    out << AlertsToJson(*alerts, 2) << "\n";
    return kExitOk;
  }
  if (alerts->empty()) {
    out << "no " << (cmd.state == "all" ? "" : cmd.state + " ") << "alerts\n";
    return kExitOk;
  }
  Table table({"ID", "TENANT", "TYPE", "SEVERITY", "STATE", "SUBJECT", "FIRST SEEN", "RESOLVED"});
  for (const AlertRow& a : *alerts) {
    table.AddRow({std::to_string(a.id), a.tenant, a.type, a.severity, a.state, a.subject_name,
                  FormatIso8601(a.first_seen),
                  a.resolved_at ? FormatIso8601(*a.resolved_at) : "-"});
  }
  out << table.Render();
  out << alerts->size() << " alert" << (alerts->size() == 1 ? "" : "s") << "\n";
  return kExitOk;
}

int RunHistory(const HistoryCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  Result<std::optional<AlertRow>> alert = GetAlert(db.get(), cmd.alert_id);
  if (!alert.ok()) {
    err << "vigil: " << alert.status().message() << "\n";
    return kExitFailed;
  }
  if (!alert->has_value()) {
    err << "vigil: no alert with id " << cmd.alert_id << "\n";
    return kExitFailed;
  }
  Result<std::vector<HistoryRow>> history = AlertHistory(db.get(), cmd.alert_id);
  if (!history.ok()) {
    err << "vigil: " << history.status().message() << "\n";
    return kExitFailed;
  }
  if (cmd.json) {
    out << HistoryListToJson(*history, 2) << "\n";
    return kExitOk;
  }
  const AlertRow& a = **alert;
  out << "alert " << a.id << ": " << a.type << " on " << a.subject_name << " (" << a.tenant << "), "
      << a.state << ", " << a.severity << "\n";
  out << "details: " << a.details << "\n";
  Table table({"AT", "CHANGE", "STATE", "SEVERITY", "REASON", "TRACE"});
  for (const HistoryRow& h : *history) {
    table.AddRow({FormatIso8601(h.at), h.transition,
                  (h.from_state ? *h.from_state : std::string("-")) + " -> " + h.to_state,
                  h.severity, h.reason, h.trace_id});
  }
  out << table.Render();
  return kExitOk;
}

void AddAlertsCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<AlertsCommand>();
  CLI::App* c = app.add_subcommand("alerts", "list alerts");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--tenant", cmd->tenant, "only this tenant");
  c->add_option("--state", cmd->state, "open, resolved or all")
      ->check(CLI::IsMember({"open", "resolved", "all"}))
      ->capture_default_str();
  c->add_option("--type", cmd->type, "only this alert type, e.g. mfa.user_not_registered");
  c->add_flag("--json", cmd->json, "print a JSON array");
  OnRun(c, cmd, cli, RunAlerts);
}

void AddHistoryCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<HistoryCommand>();
  CLI::App* c = app.add_subcommand("history", "show every change of one alert and its trace");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("ALERT_ID", cmd->alert_id, "alert id (from `vigil alerts`)")->required();
  c->add_flag("--json", cmd->json, "print a JSON array");
  OnRun(c, cmd, cli, RunHistory);
}

}  // namespace vigil
