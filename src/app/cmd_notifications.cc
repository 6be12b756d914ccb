#include <ostream>

#include "app/channel_commands.h"
#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/table.h"
#include "common/time.h"
#include "notify/channel_json.h"

namespace vigil {

int RunNotifications(const NotificationsCommand& cmd, std::ostream& out, std::ostream& err) {
  if (cmd.limit <= 0) {
    err << "vigil: --limit: must be above 0\n";
    return kExitUsage;
  }
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  NotificationFilter filter;
  filter.channel = cmd.channel;
  if (cmd.alert_id > 0) filter.alert_id = cmd.alert_id;
  filter.state = cmd.state;
  filter.limit = cmd.limit;
  Result<std::vector<NotificationRow>> rows = ListNotifications(db.get(), filter);
  if (!rows.ok()) {
    err << "vigil: " << rows.status().message() << "\n";
    return rows.status().code() == Code::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  if (cmd.json) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const NotificationRow& n : *rows) arr.push_back(NotificationJsonValue(n));
    out << arr.dump(2) << "\n";
    return kExitOk;
  }
  if (rows->empty()) {
    out << "no notifications\n";
    return kExitOk;
  }
  Table table({"ID", "AT", "CHANNEL", "TENANT", "ALERT", "TYPE", "SUBJECT", "CHANGE", "STATE",
               "ATTEMPTS", "STATUS", "ANSWER / REASON"});
  for (const NotificationRow& n : *rows) {
    std::string answer = n.state == "suppressed" || n.state == "failed" ? n.reason : n.response;
    if (answer.size() > 60) answer = answer.substr(0, 57) + "...";
    for (char& c : answer) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    table.AddRow({std::to_string(n.id), FormatIso8601(n.at), n.channel, n.tenant,
                  std::to_string(n.alert_id), n.alert_type, n.subject_name, n.change, n.state,
                  std::to_string(n.attempts), n.attempted_at ? std::to_string(n.status) : "-",
                  answer});
  }
  out << table.Render();
  return kExitOk;
}

void AddNotificationsCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<NotificationsCommand>();
  CLI::App* c = app.add_subcommand(
      "notifications",
      "the delivery log: each notification (an alert change on its way to a channel),\n"
      "newest first, with its state and the receiver's latest answer");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--channel", cmd->channel, "only this channel");
  c->add_option("--alert", cmd->alert_id, "only this alert id");
  c->add_option("--state", cmd->state, "pending, sent, failed or suppressed");
  c->add_option("--limit", cmd->limit, "at most this many")->capture_default_str();
  c->add_flag("--json", cmd->json, "print JSON");
  OnRun(c, cmd, cli, RunNotifications);
}

}  // namespace vigil
