#include "notify/channel_store.h"

#include <nlohmann/json.hpp>

#include "store/tenants.h"

namespace vigil {
namespace {

using nlohmann::json;

// The secrets of a spec, by the name they have in the settings object.
std::vector<std::pair<std::string_view, const std::string*>> Secrets(const ChannelSpec& spec) {
  return {{"url", &spec.url},
          {"signing_secret", &spec.signing_secret},
          {"routing_key", &spec.routing_key},
          {"smtp_password", &spec.smtp_password}};
}

std::vector<std::pair<std::string_view, std::string*>> Secrets(ChannelSpec* spec) {
  return {{"url", &spec->url},
          {"signing_secret", &spec->signing_secret},
          {"routing_key", &spec->routing_key},
          {"smtp_password", &spec->smtp_password}};
}

json RouteJson(const Route& route) {
  json digest = nullptr;
  if (route.digest) {
    digest = {{"at", DigestScheduleText(*route.digest)}, {"timezone", route.digest->timezone}};
  }
  return {{"tenants", route.tenant_ids},       {"types", route.types},
          {"min_severity", route.min_severity}, {"changes", route.changes},
          {"group_wait_ms", route.group_wait_ms},
          {"repeat_interval_ms", route.repeat_interval_ms},
          {"digest", digest}};
}

json PolicyJson(const DeliveryPolicy& p) {
  return {{"max_per_second", p.max_per_second}, {"timeout_ms", p.timeout_ms},
          {"give_up_ms", p.give_up_ms},         {"first_retry_ms", p.first_retry_ms},
          {"max_retry_ms", p.max_retry_ms}};
}

std::string SettingsText(const ChannelSpec& spec, const SecretKey& key) {
  json settings = json::object();
  for (const auto& [name, value] : Secrets(spec)) {
    if (!value->empty()) settings[std::string(name)] = Seal(key, *value);
  }
  settings["smtp_url"] = spec.smtp_url;
  settings["smtp_user"] = spec.smtp_user;
  settings["from"] = spec.from;
  settings["to"] = spec.to;
  settings["route"] = RouteJson(spec.route);
  settings["policy"] = PolicyJson(spec.policy);
  return settings.dump();
}

// The public part of a stored settings object into `spec` (secrets not
// opened). InvalidArgument naming the channel when the text is damaged.
Status ReadSettings(const std::string& name, const std::string& text, ChannelSpec* spec) {
  try {
    const json s = json::parse(text);
    spec->smtp_url = s.value("smtp_url", "");
    spec->smtp_user = s.value("smtp_user", "");
    spec->from = s.value("from", "");
    spec->to = s.value("to", std::vector<std::string>{});
    const json& r = s.at("route");
    spec->route.tenant_ids = r.at("tenants").get<std::vector<int64_t>>();
    spec->route.types = r.at("types").get<std::vector<std::string>>();
    spec->route.min_severity = r.at("min_severity").get<std::string>();
    spec->route.changes = r.at("changes").get<std::vector<std::string>>();
    spec->route.group_wait_ms = r.at("group_wait_ms").get<int64_t>();
    spec->route.repeat_interval_ms = r.at("repeat_interval_ms").get<int64_t>();
    spec->route.digest.reset();
    if (!r.at("digest").is_null()) {
      Result<DigestSchedule> d = ParseDigestSchedule(r["digest"].at("at").get<std::string>(),
                                                     r["digest"].at("timezone").get<std::string>());
      if (!d.ok()) return d.status().Prefixed("channel \"" + name + "\"");
      spec->route.digest = *d;
    }
    const json& p = s.at("policy");
    spec->policy.max_per_second = p.at("max_per_second").get<double>();
    spec->policy.timeout_ms = p.at("timeout_ms").get<int64_t>();
    spec->policy.give_up_ms = p.at("give_up_ms").get<int64_t>();
    spec->policy.first_retry_ms = p.at("first_retry_ms").get<int64_t>();
    spec->policy.max_retry_ms = p.at("max_retry_ms").get<int64_t>();
  } catch (const json::exception& e) {
    return Status::Internal("channel \"" + name + "\": stored settings are damaged: " + e.what());
  }
  return Status::Ok();
}

constexpr std::string_view kChannelColumns =
    "c.id, c.name, c.kind, c.tenant_id, c.settings, c.created_at, c.last_attempt_at,"
    " c.last_outcome, c.last_error, t.name";

Result<std::vector<ChannelRow>> QueryChannels(Db* db, const std::string& where,
                                              const std::vector<DbValue>& params) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> st,
      db->Prepare("SELECT " + std::string(kChannelColumns) +
                  ", (SELECT COUNT(*) FROM notifications n WHERE n.channel_id = c.id"
                  " AND n.state = 'pending'),"
                  " (SELECT COUNT(*) FROM notifications n WHERE n.channel_id = c.id"
                  " AND n.state = 'failed')"
                  " FROM channels c LEFT JOIN tenants t ON t.id = c.tenant_id " +
                  where + " ORDER BY c.name"));
  st->BindAll(params);
  std::vector<ChannelRow> rows;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    ChannelRow row;
    row.id = st->Int(0);
    row.name = st->String(1);
    row.kind = st->String(2);
    if (!st->IsNull(3)) row.tenant_id = st->Int(3);
    ChannelSpec spec;
    VIGIL_RETURN_IF_ERROR(ReadSettings(row.name, st->String(4), &spec));
    row.route = spec.route;
    row.policy = spec.policy;
    row.smtp_url = spec.smtp_url;
    row.smtp_user = spec.smtp_user;
    row.from = spec.from;
    row.to = spec.to;
    const json settings = json::parse(st->String(4));
    for (const auto& [name, value] : Secrets(spec)) {
      (void)value;
      if (settings.contains(std::string(name))) row.secrets.emplace_back(name);
    }
    row.created_at = st->Int(5);
    if (!st->IsNull(6)) row.last_attempt_at = st->Int(6);
    if (!st->IsNull(7)) row.last_outcome = st->String(7);
    if (!st->IsNull(8)) row.last_error = st->String(8);
    if (!st->IsNull(9)) row.tenant = st->String(9);
    row.pending = st->Int(10);
    row.failed = st->Int(11);
    rows.push_back(std::move(row));
  }
  for (ChannelRow& row : rows) {
    for (int64_t id : row.route.tenant_ids) {
      VIGIL_ASSIGN_OR_RETURN(std::optional<TenantRow> t, GetTenant(db, id));
      row.route_tenants.push_back(t ? t->name : "#" + std::to_string(id));
    }
  }
  return rows;
}

Status CheckTenantExists(Db* db, int64_t id, std::string_view what) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<TenantRow> t, GetTenant(db, id));
  if (!t) return Status::NotFound(std::string(what) + ": no tenant with id " + std::to_string(id));
  return Status::Ok();
}

}  // namespace

Status ValidateChannelName(std::string_view name) {
  const bool ok_size = !name.empty() && name.size() <= 64;
  bool ok_chars = true;
  for (char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    ok_chars = ok_chars && allowed;
  }
  if (ok_size && ok_chars) return Status::Ok();
  return Status::InvalidArgument("channel name \"" + std::string(name) +
                                 "\": expected 1 to 64 letters, digits, '.', '-' or '_'");
}

Result<int64_t> AddChannel(Db* db, const ChannelSpec& spec, const SecretKey& key, TimeMs now) {
  VIGIL_RETURN_IF_ERROR(ValidateChannelName(spec.name));
  if (!IsChannelKind(spec.kind)) {
    return Status::InvalidArgument("unknown channel kind \"" + spec.kind +
                                   "\" (expected webhook, slack, teams, email, pagerduty or "
                                   "alertmanager)");
  }
  VIGIL_RETURN_IF_ERROR(ValidateRoute(spec.route));
  Transaction tx(db);
  VIGIL_RETURN_IF_ERROR(tx.status());
  VIGIL_ASSIGN_OR_RETURN(std::optional<int64_t> taken,
                         db->QueryInt("SELECT id FROM channels WHERE name = ?", {spec.name}));
  if (taken) return Status::AlreadyExists("channel \"" + spec.name + "\" exists");
  if (spec.tenant_id) VIGIL_RETURN_IF_ERROR(CheckTenantExists(db, *spec.tenant_id, "tenant"));
  for (int64_t id : spec.route.tenant_ids) {
    VIGIL_RETURN_IF_ERROR(CheckTenantExists(db, id, "route"));
  }
  DbValue owner = spec.tenant_id ? DbValue(*spec.tenant_id) : DbValue();
  VIGIL_RETURN_IF_ERROR(db->Execute(
      "INSERT INTO channels (name, kind, tenant_id, settings, created_at) VALUES (?, ?, ?, ?, ?)",
      {spec.name, spec.kind, owner, SettingsText(spec, key), now}));
  const int64_t id = db->LastInsertId();
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return id;
}

Status RemoveChannel(Db* db, std::string_view name) {
  Transaction tx(db);
  VIGIL_RETURN_IF_ERROR(tx.status());
  VIGIL_ASSIGN_OR_RETURN(std::optional<int64_t> id,
                         db->QueryInt("SELECT id FROM channels WHERE name = ?",
                                      {std::string(name)}));
  if (!id) return Status::NotFound("no channel \"" + std::string(name) + "\"");
  VIGIL_RETURN_IF_ERROR(
      db->Execute("DELETE FROM notifications WHERE channel_id = ? AND state = 'pending'", {*id}));
  VIGIL_RETURN_IF_ERROR(db->Execute("DELETE FROM channels WHERE id = ?", {*id}));
  return tx.Commit();
}

Result<std::vector<ChannelRow>> ListChannels(Db* db, std::optional<int64_t> tenant_id) {
  if (tenant_id) return QueryChannels(db, "WHERE c.tenant_id = ?", {*tenant_id});
  return QueryChannels(db, "", {});
}

Result<ChannelRow> GetChannel(Db* db, std::string_view name) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<ChannelRow> rows,
                         QueryChannels(db, "WHERE c.name = ?", {std::string(name)}));
  if (rows.empty()) return Status::NotFound("no channel \"" + std::string(name) + "\"");
  return std::move(rows.front());
}

Result<std::vector<ChannelSpec>> LoadChannelSpecs(Db* db, const SecretKey& key) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> st,
      db->Prepare("SELECT id, name, kind, tenant_id, settings FROM channels ORDER BY id"));
  std::vector<ChannelSpec> specs;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    ChannelSpec spec;
    spec.id = st->Int(0);
    spec.name = st->String(1);
    spec.kind = st->String(2);
    if (!st->IsNull(3)) spec.tenant_id = st->Int(3);
    const std::string text = st->String(4);
    VIGIL_RETURN_IF_ERROR(ReadSettings(spec.name, text, &spec));
    const json settings = json::parse(text);
    for (auto& [name, value] : Secrets(&spec)) {
      auto it = settings.find(std::string(name));
      if (it == settings.end()) continue;
      Result<std::string> opened = Open(key, it->get<std::string>());
      if (!opened.ok()) {
        return opened.status().Prefixed("channel \"" + spec.name + "\": " + std::string(name));
      }
      *value = std::move(*opened);
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

Result<ChannelSpec> LoadChannelSpec(Db* db, std::string_view name, const SecretKey& key) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<ChannelSpec> specs, LoadChannelSpecs(db, key));
  for (ChannelSpec& spec : specs) {
    if (spec.name == name) return std::move(spec);
  }
  return Status::NotFound("no channel \"" + std::string(name) + "\"");
}

Status NoteChannelAttempt(Db* db, int64_t channel_id, TimeMs at, std::string_view outcome,
                          std::string_view error) {
  return db->Execute(
      "UPDATE channels SET last_attempt_at = ?, last_outcome = ?, last_error = ? WHERE id = ?",
      {at, std::string(outcome), std::string(error), channel_id});
}

}  // namespace vigil
