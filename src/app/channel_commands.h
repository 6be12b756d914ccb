// The delivery commands: `vigil channel add|remove|test`, `vigil channels`
// and `vigil notifications` (cmd_channel*.cc, cmd_notifications.cc).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace vigil {

struct ChannelAddCommand {
  std::string db = "vigil.db";
  std::string name;
  std::string kind;
  std::string url;            // discouraged (shell history); --url-file preferred
  std::string url_file;
  std::string signing_secret_file;  // webhook; none: one is made and printed once
  std::string routing_key_file;     // pagerduty
  std::string smtp_url;
  std::string smtp_user;
  std::string smtp_password_file;
  std::string from;
  std::vector<std::string> to;
  std::vector<std::string> tenants;  // route: tenant names; none: all
  std::string types;                 // comma-separated globs
  std::string min_severity = "low";
  std::string changes = "opened,reopened,resolved";
  std::string group_wait = "30s";
  std::string repeat_interval = "0";
  std::string digest;                // daily@HH:MM
  std::string timezone = "UTC";
  std::string give_up = "6h";
  std::string max_retry_wait = "5m";
  std::string timeout = "10s";
  double max_per_second = 0;
};
int RunChannelAdd(const ChannelAddCommand& cmd, std::ostream& out, std::ostream& err);

struct ChannelNameCommand {
  std::string db = "vigil.db";
  std::string name;
};
int RunChannelRemove(const ChannelNameCommand& cmd, std::ostream& out, std::ostream& err);
// Sends one test message through the channel now (nothing is stored) and
// prints the receiver's answer; exit 1 when it was not accepted.
int RunChannelTest(const ChannelNameCommand& cmd, std::ostream& out, std::ostream& err);

struct ChannelsCommand {
  std::string db = "vigil.db";
  bool json = false;
};
int RunChannels(const ChannelsCommand& cmd, std::ostream& out, std::ostream& err);

struct NotificationsCommand {
  std::string db = "vigil.db";
  std::string channel;
  int64_t alert_id = 0;
  std::string state;
  int limit = 100;
  bool json = false;
};
int RunNotifications(const NotificationsCommand& cmd, std::ostream& out, std::ostream& err);

}  // namespace vigil
