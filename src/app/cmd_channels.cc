#include <ostream>

#include "app/channel_commands.h"
#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/table.h"
#include "common/duration.h"
#include "common/time.h"
#include "notify/channel_json.h"

namespace vigil {
namespace {

std::string Joined(const std::vector<std::string>& items, const std::string& none) {
  if (items.empty()) return none;
  std::string text;
  for (const std::string& i : items) text += (text.empty() ? "" : ",") + i;
  return text;
}

// "ok", "failing: <error>", "retrying: <error>" or "-" (never tried).
std::string Health(const ChannelRow& c) {
  if (c.last_outcome.empty()) return "-";
  if (c.last_outcome == "sent") return "ok";
  return (c.last_outcome == "retry" ? "retrying: " : "failing: ") + c.last_error;
}

}  // namespace

int RunChannels(const ChannelsCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  Result<std::vector<ChannelRow>> channels = ListChannels(db.get());
  if (!channels.ok()) {
    err << "vigil: " << channels.status().message() << "\n";
    return kExitFailed;
  }
  if (cmd.json) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const ChannelRow& c : *channels) arr.push_back(ChannelJsonValue(c));
    out << arr.dump(2) << "\n";
    return kExitOk;
  }
  if (channels->empty()) {
    out << "no channels (vigil channel add creates one)\n";
    return kExitOk;
  }
  Table table({"NAME", "KIND", "TENANTS", "TYPES", "MIN", "CHANGES", "GROUP", "PENDING", "FAILED",
               "LAST ATTEMPT", "STATE"});
  for (const ChannelRow& c : *channels) {
    table.AddRow({c.name, c.kind, Joined(c.route_tenants, c.tenant.empty() ? "all" : c.tenant),
                  Joined(c.route.types, "all"), c.route.min_severity, Joined(c.route.changes, "-"),
                  c.route.digest ? DigestScheduleText(*c.route.digest) + " " + c.route.digest->timezone
                                 : FormatDuration(c.route.group_wait_ms),
                  std::to_string(c.pending), std::to_string(c.failed),
                  c.last_attempt_at ? FormatIso8601(*c.last_attempt_at) : "-", Health(c)});
  }
  out << table.Render();
  return kExitOk;
}

void AddChannelsCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<ChannelsCommand>();
  CLI::App* c = app.add_subcommand(
      "channels", "list the channels with their routes, backlog and how delivery is going");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_flag("--json", cmd->json, "print JSON (no secrets)");
  OnRun(c, cmd, cli, RunChannels);
}

}  // namespace vigil
