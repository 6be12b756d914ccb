#include <ostream>

#include "app/channel_commands.h"
#include "app/channel_factory.h"
#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/secret_file.h"
#include "common/duration.h"
#include "notify/channel_store.h"
#include "notify/signing_secret.h"
#include "store/secret_box.h"

namespace vigil {
namespace {

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

// A duration flag; zero ("0", "0s") is allowed where it means "at once" or
// "never" (--group-wait, --repeat-interval).
Status ParseDurationFlag(std::string_view flag, const std::string& text, int64_t* out,
                         bool allow_zero = false) {
  Result<int64_t> ms = allow_zero ? ParseDurationOrZero(text) : ParseDuration(text);
  if (!ms.ok()) return ms.status().Prefixed(flag);
  *out = *ms;
  return Status::Ok();
}

// Reads the secrets the flags name into `spec`.
Status ReadSecrets(const ChannelAddCommand& cmd, ChannelSpec* spec, bool* made_secret) {
  if (!cmd.url.empty() && !cmd.url_file.empty()) {
    return Status::InvalidArgument("give --url or --url-file, not both");
  }
  spec->url = cmd.url;
  if (!cmd.url_file.empty()) {
    VIGIL_ASSIGN_OR_RETURN(spec->url, ReadSecretFile("--url-file", cmd.url_file, "URL"));
  }
  if (!cmd.routing_key_file.empty()) {
    VIGIL_ASSIGN_OR_RETURN(spec->routing_key, ReadSecretFile("--routing-key-file",
                                                             cmd.routing_key_file, "routing key"));
  }
  if (!cmd.smtp_password_file.empty()) {
    VIGIL_ASSIGN_OR_RETURN(spec->smtp_password,
                           ReadSecretFile("--smtp-password-file", cmd.smtp_password_file,
                                          "SMTP password"));
  }
  if (!cmd.signing_secret_file.empty()) {
    VIGIL_ASSIGN_OR_RETURN(spec->signing_secret,
                           ReadSecretFile("--signing-secret-file", cmd.signing_secret_file,
                                          "signing secret"));
  } else if (spec->kind == kChannelWebhook) {
    VIGIL_ASSIGN_OR_RETURN(spec->signing_secret, NewSigningSecret());
    *made_secret = true;
  }
  return Status::Ok();
}

// The route and policy the flags describe (tenants resolved in `db`).
Status ReadRoute(Db* db, const ChannelAddCommand& cmd, ChannelSpec* spec) {
  Route& r = spec->route;
  for (const std::string& name : cmd.tenants) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<TenantRow> t, FindTenant(db, name));
    if (!t) return Status::NotFound("--tenant: no tenant named \"" + name + "\"");
    r.tenant_ids.push_back(t->id);
  }
  r.types = SplitList(cmd.types);
  r.min_severity = cmd.min_severity;
  r.changes = SplitList(cmd.changes);
  VIGIL_RETURN_IF_ERROR(
      ParseDurationFlag("--group-wait", cmd.group_wait, &r.group_wait_ms, /*allow_zero=*/true));
  VIGIL_RETURN_IF_ERROR(
      ParseDurationFlag("--repeat-interval", cmd.repeat_interval, &r.repeat_interval_ms,
                        /*allow_zero=*/true));
  if (!cmd.digest.empty()) {
    Result<DigestSchedule> d = ParseDigestSchedule(cmd.digest, cmd.timezone);
    if (!d.ok()) return d.status().Prefixed("--digest");
    r.digest = *d;
  }
  VIGIL_RETURN_IF_ERROR(ParseDurationFlag("--give-up", cmd.give_up, &spec->policy.give_up_ms));
  VIGIL_RETURN_IF_ERROR(ParseDurationFlag("--timeout", cmd.timeout, &spec->policy.timeout_ms));
  VIGIL_RETURN_IF_ERROR(
      ParseDurationFlag("--max-retry-wait", cmd.max_retry_wait, &spec->policy.max_retry_ms));
  if (spec->policy.max_retry_ms < spec->policy.first_retry_ms) {
    return Status::InvalidArgument("--max-retry-wait: at least 1s");
  }
  if (spec->policy.timeout_ms <= 0) return Status::InvalidArgument("--timeout: must be above 0");
  if (cmd.max_per_second < 0) return Status::InvalidArgument("--max-per-second: negative");
  spec->policy.max_per_second = cmd.max_per_second;
  return ValidateRoute(r);
}

void Scrub(ChannelSpec* spec) {
  ScrubString(&spec->url);
  ScrubString(&spec->signing_secret);
  ScrubString(&spec->routing_key);
  ScrubString(&spec->smtp_password);
}

}  // namespace

int RunChannelAdd(const ChannelAddCommand& cmd, std::ostream& out, std::ostream& err) {
  Result<SecretKey> key = LoadSecretKey();
  if (!key.ok()) {
    err << "vigil: " << key.status().message() << "\n";
    return kExitFailed;
  }
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  ChannelSpec spec;
  spec.name = cmd.name;
  spec.kind = cmd.kind;
  spec.smtp_url = cmd.smtp_url;
  spec.smtp_user = cmd.smtp_user;
  spec.from = cmd.from;
  for (const std::string& to : cmd.to) {
    for (std::string& one : SplitList(to)) spec.to.push_back(std::move(one));
  }
  bool made_secret = false;
  std::unique_ptr<Clock> clock = NewSystemClock();
  Status s = ValidateChannelName(spec.name);
  if (s.ok() && !IsChannelKind(spec.kind)) s = OpenChannel(spec, clock.get()).status();
  if (s.ok()) s = ReadSecrets(cmd, &spec, &made_secret);
  if (s.ok()) s = ReadRoute(db.get(), cmd, &spec);
  if (s.ok()) s = OpenChannel(spec, clock.get()).status();  // the kind's own checks
  Result<int64_t> id = s.ok() ? AddChannel(db.get(), spec, *key, clock->NowMs()) : s;
  if (!id.ok()) {
    Scrub(&spec);
    err << "vigil: channel add: " << id.status().message() << "\n";
    return id.status().code() == Code::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  if (made_secret) {
    out << spec.signing_secret << "\n";
    err << "channel \"" << spec.name << "\" added (id " << *id
        << "). Its signing secret is above, shown only now: receivers verify\n"
        << "X-Vigil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\"> with it.\n";
  } else {
    out << "channel \"" << spec.name << "\" added (id " << *id << ")\n";
  }
  Scrub(&spec);
  return kExitOk;
}

void AddChannelAddCommand(CLI::App& channel, CommandContext* cli) {
  auto cmd = std::make_shared<ChannelAddCommand>();
  CLI::App* c = channel.add_subcommand(
      "add",
      "add a channel with its route. Secrets (URLs, routing keys, SMTP passwords) are\n"
      "sealed with the secret key (VIGIL_SECRET_KEY or VIGIL_SECRET_KEY_FILE) and never\n"
      "shown again; give them in files (--url-file) to keep them out of shell history");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--name", cmd->name, "the channel's name (letters, digits, . - _)")->required();
  c->add_option("--kind", cmd->kind, "webhook, slack, teams, email, pagerduty or alertmanager")
      ->required();
  c->add_option("--url", cmd->url, "the receiver's URL (prefer --url-file)");
  c->add_option("--url-file", cmd->url_file, "a file holding the receiver's URL");
  c->add_option("--signing-secret-file", cmd->signing_secret_file,
                "webhook: a file holding the HMAC secret (default: a new one, printed once)");
  c->add_option("--routing-key-file", cmd->routing_key_file,
                "pagerduty: a file holding the Events API v2 routing key");
  c->add_option("--smtp-url", cmd->smtp_url, "email: smtp://host:port or smtps://host:port");
  c->add_option("--smtp-user", cmd->smtp_user, "email: the SMTP AUTH user");
  c->add_option("--smtp-password-file", cmd->smtp_password_file,
                "email: a file holding the SMTP password");
  c->add_option("--from", cmd->from, "email: the sender address");
  c->add_option("--to", cmd->to, "email: recipients (comma-separated or repeated)");
  c->add_option("--tenant", cmd->tenants, "route: only this tenant (repeat for several; default all)");
  c->add_option("--types", cmd->types, "route: alert type globs, comma-separated ('mfa.*,privilege.*')");
  c->add_option("--min-severity", cmd->min_severity, "route: low, medium, high or critical")
      ->capture_default_str();
  c->add_option("--changes", cmd->changes,
                "route: opened, reopened, resolved, severity_changed, updated, repeat\n"
                "(flapping and stable are always sent)")
      ->capture_default_str();
  c->add_option("--group-wait", cmd->group_wait,
                "send a tenant's changes together within this time of the first (0: at once)")
      ->capture_default_str();
  c->add_option("--repeat-interval", cmd->repeat_interval,
                "remind of alerts still open this often (0: never)")
      ->capture_default_str();
  c->add_option("--digest", cmd->digest, "one message a day instead: daily@HH:MM");
  c->add_option("--timezone", cmd->timezone, "the time zone of --digest (Europe/Berlin)")
      ->capture_default_str();
  c->add_option("--give-up", cmd->give_up, "stop retrying a message after this long")
      ->capture_default_str();
  c->add_option("--timeout", cmd->timeout, "one attempt's time limit")->capture_default_str();
  c->add_option("--max-retry-wait", cmd->max_retry_wait,
                "retries wait 1s, doubling up to this (or the receiver's Retry-After)")
      ->capture_default_str();
  c->add_option("--max-per-second", cmd->max_per_second,
                "messages per second at most (default: slack 1, teams 4, pagerduty 2, email 5,\n"
                "webhook and alertmanager unlimited)");
  OnRun(c, cmd, cli, RunChannelAdd);
}

}  // namespace vigil
