#include <ostream>

#include "app/channel_commands.h"
#include "app/channel_factory.h"
#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "notify/channel_store.h"
#include "store/secret_box.h"

namespace vigil {
namespace {

// The message `vigil channel test` sends: one made-up alert, so the receiver
// shows what a real one looks like.
NotificationGroup TestGroup(const ChannelSpec& spec, TimeMs now) {
  NotificationGroup g;
  g.channel_id = spec.id;
  g.channel = spec.name;
  g.tenant = "vigil-test";
  g.key = "vigil:" + std::to_string(spec.id) + ":test:" + std::to_string(now);
  g.period_start = g.period_end = now;
  Notification n;
  n.key = g.key + ":1";
  n.change = "opened";
  n.at = now;
  n.trace_id = "test";
  n.alert.tenant = g.tenant;
  n.alert.type = "vigil.test";
  n.alert.analysis_type = "vigil";
  n.alert.subject = "test";
  n.alert.subject_name = "a test message from vigil channel test";
  n.alert.severity = "low";
  n.alert.state = "open";
  n.alert.details = "{}";
  n.alert.first_seen = n.alert.last_seen = n.alert.updated_at = now;
  g.notifications.push_back(std::move(n));
  return g;
}

}  // namespace

int RunChannelRemove(const ChannelNameCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  Status s = RemoveChannel(db.get(), cmd.name);
  if (!s.ok()) {
    err << "vigil: " << s.message() << "\n";
    return kExitFailed;
  }
  out << "channel \"" << cmd.name << "\" removed (its delivery log stays)\n";
  return kExitOk;
}

int RunChannelTest(const ChannelNameCommand& cmd, std::ostream& out, std::ostream& err) {
  Result<SecretKey> key = LoadSecretKey();
  if (!key.ok()) {
    err << "vigil: " << key.status().message() << "\n";
    return kExitFailed;
  }
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  Result<ChannelSpec> spec = LoadChannelSpec(db.get(), cmd.name, *key);
  std::unique_ptr<Clock> clock = NewSystemClock();
  Result<std::unique_ptr<Channel>> channel =
      spec.ok() ? OpenChannel(*spec, clock.get()) : spec.status();
  if (!channel.ok()) {
    err << "vigil: " << channel.status().message() << "\n";
    return kExitFailed;
  }
  DeliveryResult r = (*channel)->Deliver(TestGroup(*spec, clock->NowMs()));
  out << "outcome: " << DeliveryOutcomeName(r.outcome) << "\n"
      << "status: " << r.status << "\n"
      << "response: " << r.response << "\n";
  if (!r.error.empty()) out << "error: " << r.error << "\n";
  return r.outcome == DeliveryOutcome::kSent ? kExitOk : kExitFailed;
}

void AddChannelAddCommand(CLI::App& channel, CommandContext* cli);  // cmd_channel_add.cc

void AddChannelCommand(CLI::App& app, CommandContext* cli) {
  CLI::App* channel = app.add_subcommand(
      "channel", "manage where alert changes are delivered (vigil channels lists them)");
  channel->require_subcommand(1);
  AddChannelAddCommand(*channel, cli);
  auto remove = std::make_shared<ChannelNameCommand>();
  CLI::App* r = channel->add_subcommand(
      "remove", "remove a channel and what it had not sent yet (its delivery log stays)");
  r->add_option("--db", remove->db, kDbHelp)->capture_default_str();
  r->add_option("name", remove->name, "the channel's name")->required();
  OnRun(r, remove, cli, RunChannelRemove);
  auto test = std::make_shared<ChannelNameCommand>();
  CLI::App* t = channel->add_subcommand(
      "test", "send a test message through a channel now and print the receiver's answer");
  t->add_option("--db", test->db, kDbHelp)->capture_default_str();
  t->add_option("name", test->name, "the channel's name")->required();
  OnRun(t, test, cli, RunChannelTest);
}

}  // namespace vigil
