#include "pipeline/source_add.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <vector>

#include "common/duration.h"
#include "providers/google_jwt.h"
#include "providers/graph_cloud.h"
#include "store/secret_box.h"

namespace vigil {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// 8-4-4-4-12 hex digits.
bool IsGuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !IsHex(text[i])) return false;
  }
  return true;
}

// Two or more dot-separated labels of letters, digits and inner '-', the last
// one not all digits (so an IP address is not a domain).
bool IsDomain(const std::string& text) {
  if (text.empty() || text.size() > 253) return false;
  size_t labels = 0;
  bool last_has_letter = false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('.', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view label(text.data() + start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    last_has_letter = false;
    for (char c : label) {
      const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!letter && !(c >= '0' && c <= '9') && c != '-') return false;
      last_has_letter = last_has_letter || letter;
    }
    ++labels;
    start = end + 1;
  }
  return labels >= 2 && last_has_letter;
}

bool IsSourceName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
  });
}

// An http(s) base URL without its trailing '/'. Plain http is refused unless
// the host is this machine: the credentials and tokens would travel in clear.
Result<std::string> BaseUrl(const std::string& field, const std::string& url) {
  const bool https = url.rfind("https://", 0) == 0;
  const bool http = url.rfind("http://", 0) == 0;
  const size_t host_start = https ? 8 : 7;
  const bool bad_chars = url.find_first_of(" \t\r\n?#") != std::string::npos;
  const std::string rest = (https || http) ? url.substr(host_start) : "";
  const std::string host_port = rest.substr(0, rest.find('/'));
  if ((!https && !http) || bad_chars || host_port.empty() || host_port[0] == ':') {
    return Status::InvalidArgument(field + ": \"" + url +
                                   "\" is not an https:// URL such as https://graph.example");
  }
  if (http) {
    const std::string host = host_port[0] == '[' ? host_port.substr(0, host_port.find(']') + 1)
                                                 : host_port.substr(0, host_port.find(':'));
    if (host != "127.0.0.1" && host != "localhost" && host != "[::1]") {
      return Status::InvalidArgument(field +
                                     ": http:// is allowed only for a loopback host (credentials "
                                     "would travel in clear); use https://");
    }
  }
  std::string base = url;
  while (base.size() > host_start && base.back() == '/') base.pop_back();
  return base;
}

// "a, b, c".
std::string Joined(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& n : names) joined += (joined.empty() ? "" : ", ") + n;
  return joined;
}

Status CheckMicrosoft365(const SourceSpec& spec, FieldStyle style, nlohmann::json* settings) {
  auto named = [style](std::string_view field) { return FieldName(style, field); };
  const std::string provider = named("provider") + " " + kMicrosoft365Provider;
  std::vector<std::string> missing;
  if (spec.tenant_id.empty()) missing.push_back(named("tenant_id"));
  if (spec.client_id.empty()) missing.push_back(named("client_id"));
  if (!spec.has_client_secret) missing.push_back(named("client_secret"));
  if (!missing.empty()) return Status::InvalidArgument(provider + " needs " + Joined(missing));
  if (!spec.dir.empty()) {
    return Status::InvalidArgument(provider + " does not take " + named("dir"));
  }
  auto check_id = [&named](std::string_view field, const std::string& value) {
    if (IsGuid(value) || IsDomain(value)) return Status::Ok();
    return Status::InvalidArgument(named(field) + ": \"" + value +
                                   "\" is neither a GUID (8-4-4-4-12 hex digits) nor a domain "
                                   "such as contoso.onmicrosoft.com");
  };
  VIGIL_RETURN_IF_ERROR(check_id("tenant_id", spec.tenant_id));
  VIGIL_RETURN_IF_ERROR(check_id("client_id", spec.client_id));
  *settings = {{"tenant_id", spec.tenant_id}, {"client_id", spec.client_id}};
  const std::pair<const char*, const std::string*> urls[] = {{"authority_url", &spec.authority_url},
                                                             {"graph_url", &spec.graph_url}};
  if (!spec.cloud.empty()) {
    const GraphCloud* cloud = FindGraphCloud(spec.cloud);
    if (cloud == nullptr) {
      return Status::InvalidArgument(named("cloud") + ": unknown cloud \"" + spec.cloud +
                                     "\" (known: " + GraphCloudNames() + ")");
    }
    for (const auto& [field, url] : urls) {
      if (url->empty()) continue;
      return Status::InvalidArgument(
          named("cloud") + " and " + named(field) + " exclude each other: " + named("cloud") + " " +
          spec.cloud + " sets the authority and Graph URLs itself; give " + named("authority_url") +
          " and " + named("graph_url") + " without " + named("cloud") + " for other endpoints");
    }
    (*settings)["cloud"] = cloud->name;
    (*settings)["authority_url"] = cloud->authority_url;
    (*settings)["graph_url"] = cloud->graph_url;
    return Status::Ok();
  }
  for (const auto& [field, url] : urls) {
    if (url->empty()) continue;
    VIGIL_ASSIGN_OR_RETURN(std::string base, BaseUrl(named(field), *url));
    (*settings)[field] = base;
  }
  return Status::Ok();
}

// graph_json and google_json: a directory, nothing else.
Status CheckDirectoryProvider(const SourceSpec& spec, FieldStyle style) {
  auto named = [style](std::string_view field) { return FieldName(style, field); };
  const std::string provider = named("provider") + " " + spec.provider;
  std::vector<std::string> foreign;
  if (!spec.tenant_id.empty()) foreign.push_back(named("tenant_id"));
  if (!spec.client_id.empty()) foreign.push_back(named("client_id"));
  if (spec.has_client_secret) foreign.push_back(named("client_secret"));
  if (!spec.cloud.empty()) foreign.push_back(named("cloud"));
  if (!spec.authority_url.empty()) foreign.push_back(named("authority_url"));
  if (!spec.graph_url.empty()) foreign.push_back(named("graph_url"));
  if (!spec.customer_id.empty()) foreign.push_back(named("customer_id"));
  if (!spec.admin_email.empty()) foreign.push_back(named("admin_email"));
  if (spec.has_service_account_key) foreign.push_back(named("service_account_key"));
  if (!spec.token_url.empty()) foreign.push_back(named("token_url"));
  if (!spec.api_url.empty()) foreign.push_back(named("api_url"));
  if (!spec.licensing_url.empty()) foreign.push_back(named("licensing_url"));
  if (!foreign.empty()) {
    return Status::InvalidArgument(provider + " does not take " + Joined(foreign));
  }
  if (spec.dir.empty()) return Status::InvalidArgument(provider + " needs " + named("dir"));
  return Status::Ok();
}

// google_workspace: the administrator's email, the optional customer id and
// URLs; the key file is read and checked by SourceSettings.
Status CheckGoogleWorkspace(const SourceSpec& spec, FieldStyle style, nlohmann::json* settings) {
  auto named = [style](std::string_view field) { return FieldName(style, field); };
  const std::string provider = named("provider") + " " + kGoogleWorkspaceProvider;
  std::vector<std::string> missing, foreign;
  if (spec.admin_email.empty()) missing.push_back(named("admin_email"));
  if (!spec.has_service_account_key) missing.push_back(named("service_account_key"));
  if (!missing.empty()) return Status::InvalidArgument(provider + " needs " + Joined(missing));
  for (const auto& [field, value] : {std::pair<const char*, bool>{"tenant_id", !spec.tenant_id.empty()},
                                     {"client_id", !spec.client_id.empty()},
                                     {"client_secret", spec.has_client_secret},
                                     {"cloud", !spec.cloud.empty()},
                                     {"authority_url", !spec.authority_url.empty()},
                                     {"graph_url", !spec.graph_url.empty()},
                                     {"dir", !spec.dir.empty()}}) {
    if (value) foreign.push_back(named(field));
  }
  if (!foreign.empty()) return Status::InvalidArgument(provider + " does not take " + Joined(foreign));
  const size_t at = spec.admin_email.find('@');
  if (at == std::string::npos || at == 0 || !IsDomain(spec.admin_email.substr(at + 1))) {
    return Status::InvalidArgument(named("admin_email") + ": \"" + spec.admin_email +
                                   "\" is not an email address such as admin@example.com");
  }
  if (!spec.customer_id.empty() &&
      !std::all_of(spec.customer_id.begin(), spec.customer_id.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
      })) {
    return Status::InvalidArgument(named("customer_id") + ": \"" + spec.customer_id +
                                   "\" may hold only letters, digits, '.', '-' and '_'");
  }
  *settings = {{"admin_email", spec.admin_email}};
  if (!spec.customer_id.empty()) (*settings)["customer_id"] = spec.customer_id;
  for (const auto& [field, url] : {std::pair<const char*, const std::string*>{"token_url", &spec.token_url},
                                   {"api_url", &spec.api_url},
                                   {"licensing_url", &spec.licensing_url}}) {
    if (url->empty()) continue;
    VIGIL_ASSIGN_OR_RETURN(std::string base, BaseUrl(named(field), *url));
    (*settings)[field] = base;
  }
  return Status::Ok();
}

}  // namespace

std::string FieldName(FieldStyle style, std::string_view field) {
  if (style == FieldStyle::kJsonKeys) return std::string(field);
  if (field == "client_secret") return "--client-secret-file";
  if (field == "service_account_key") return "--service-account-key-file";
  std::string flag = "--" + std::string(field);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

Result<int64_t> ScheduleInterval(const std::string& every, const std::string& field) {
  if (every.empty()) return int64_t{0};
  Result<int64_t> ms = ParseDuration(every);
  if (!ms.ok()) return ms.status().Prefixed(field);
  if (*ms < kMinScheduleIntervalMs) {
    return Status::InvalidArgument(field + ": schedule interval must be at least 1m");
  }
  return *ms;
}

Result<CheckedSource> CheckSourceSpec(const SourceSpec& spec, FieldStyle style) {
  VIGIL_RETURN_IF_ERROR(ValidateTenantName(spec.tenant).Prefixed(FieldName(style, "tenant")));
  const bool microsoft365 = spec.provider == kMicrosoft365Provider;
  const bool google_workspace = spec.provider == kGoogleWorkspaceProvider;
  const bool google_json = spec.provider == kGoogleJsonProvider;
  if (!microsoft365 && !google_workspace && !google_json && spec.provider != kGraphJsonProvider) {
    return Status::InvalidArgument(FieldName(style, "provider") + ": unknown provider \"" +
                                   spec.provider +
                                   "\" (known: microsoft365, graph_json, google_workspace, "
                                   "google_json)");
  }
  CheckedSource checked;
  checked.name = !spec.name.empty() ? spec.name
                 : microsoft365     ? kMicrosoft365Provider
                 : google_workspace ? kGoogleWorkspaceProvider
                 : google_json      ? "google"
                                    : "graph";
  if (!IsSourceName(checked.name)) {
    return Status::InvalidArgument(FieldName(style, "name") + ": data source name \"" +
                                   checked.name +
                                   "\" must be 1 to 128 letters, digits, '.', '-' or '_'");
  }
  VIGIL_ASSIGN_OR_RETURN(checked.every_ms, ScheduleInterval(spec.every, FieldName(style, "every")));
  checked.settings = nlohmann::json::object();
  if (microsoft365) {
    VIGIL_RETURN_IF_ERROR(CheckMicrosoft365(spec, style, &checked.settings));
  } else if (google_workspace) {
    VIGIL_RETURN_IF_ERROR(CheckGoogleWorkspace(spec, style, &checked.settings));
  } else {
    VIGIL_RETURN_IF_ERROR(CheckDirectoryProvider(spec, style));
  }
  return checked;
}

Result<std::string> SourceSettings(const SourceSpec& spec, const CheckedSource& checked,
                                   FieldStyle style,
                                   const std::function<Result<std::string>()>& read_secret) {
  if (spec.provider == kGraphJsonProvider || spec.provider == kGoogleJsonProvider) {
    std::error_code ec;
    if (!std::filesystem::is_directory(spec.dir, ec)) {
      return Status::InvalidArgument(FieldName(style, "dir") + " " + spec.dir +
                                     ": no such directory");
    }
    std::filesystem::path absolute = std::filesystem::absolute(spec.dir, ec).lexically_normal();
    if (!absolute.has_filename() && absolute.has_relative_path()) {
      absolute = absolute.parent_path();
    }
    return nlohmann::json{{"dir", absolute.string()}}.dump();
  }
  Result<SecretKey> key = LoadSecretKey();
  if (!key.ok()) return Status::FailedPrecondition(key.status().message());
  Result<std::string> secret = read_secret();
  if (!secret.ok()) return secret.status();
  nlohmann::json settings = checked.settings;
  if (spec.provider == kGoogleWorkspaceProvider) {
    // The whole key file, checked before anything is stored; never quoted.
    Result<ServiceAccountKey> account =
        ParseServiceAccountKey(FieldName(style, "service_account_key"), *secret);
    if (!account.ok()) {
      ScrubString(&secret.value());
      return account.status();
    }
    ScrubString(&account->private_key);
    settings["service_account_key"] = Seal(*key, *secret);
    ScrubString(&secret.value());
    return settings.dump();
  }
  settings["client_secret"] = Seal(*key, *secret);
  ScrubString(&secret.value());
  return settings.dump();
}

Result<StoredSource> StoreDataSource(Db* db, const std::string& tenant_name,
                                     const std::string& name, const std::string& provider,
                                     const std::string& settings, int64_t every_ms, TimeMs now) {
  Transaction tx(db);
  VIGIL_RETURN_IF_ERROR(tx.status());
  StoredSource stored;
  VIGIL_ASSIGN_OR_RETURN(TenantRow tenant, EnsureTenant(db, tenant_name, now));
  VIGIL_ASSIGN_OR_RETURN(std::vector<DataSourceRow> sources, ListDataSources(db, tenant.id));
  for (const DataSourceRow& s : sources) {
    if (s.name != name) continue;
    stored.existed = true;
    stored.settings_changed = s.settings != settings;
  }
  VIGIL_ASSIGN_OR_RETURN(stored.source,
                         EnsureDataSource(db, tenant.id, name, provider, settings, now));
  VIGIL_ASSIGN_OR_RETURN(std::optional<Schedule> existing, GetSchedule(db, stored.source.id));
  if (!existing) {
    stored.schedule.data_source_id = stored.source.id;
    stored.schedule.tenant_id = tenant.id;
    stored.schedule.interval_ms = every_ms > 0 ? every_ms : kDefaultScheduleIntervalMs;
    stored.schedule.next_run_at = now;  // the first sync at the scheduler's next pass
    VIGIL_RETURN_IF_ERROR(PutSchedule(db, stored.schedule, now));
  } else {
    stored.schedule = *existing;
    if (every_ms > 0 && every_ms != existing->interval_ms) {
      // A new interval counts from now (a shorter one should not wait out the old).
      stored.schedule.interval_ms = every_ms;
      stored.schedule.next_run_at =
          NextInWindow(stored.schedule.window, std::min(existing->next_run_at, now + every_ms));
      VIGIL_RETURN_IF_ERROR(PutSchedule(db, stored.schedule, now));
    }
  }
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return stored;
}

}  // namespace vigil
