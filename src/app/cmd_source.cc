#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "app/cli_support.h"
#include "app/commands.h"
#include "app/source_commands.h"
#include "app/table.h"
#include "common/duration.h"
#include "common/time.h"
#include "queue/schedules.h"
#include "store/secret_box.h"
#include "store/source_availability.h"
#include "store/tenants.h"

namespace vigil {
namespace {

constexpr const char* kMicrosoft365 = "microsoft365";
constexpr const char* kGraphJson = "graph_json";

// A client secret is a short string; a bigger file is the wrong file.
constexpr size_t kMaxSecretFileBytes = 64 * 1024;

// ---- validating `source add` --------------------------------------------

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
std::optional<std::string> BaseUrlOrReport(const std::string& flag, const std::string& url,
                                           std::ostream& err) {
  const bool https = url.rfind("https://", 0) == 0;
  const bool http = url.rfind("http://", 0) == 0;
  const size_t host_start = https ? 8 : 7;
  const bool bad_chars = url.find_first_of(" \t\r\n?#") != std::string::npos;
  const std::string rest = (https || http) ? url.substr(host_start) : "";
  const std::string host_port = rest.substr(0, rest.find('/'));
  if ((!https && !http) || bad_chars || host_port.empty() || host_port[0] == ':') {
    err << "vigil: " << flag << ": \"" << url
        << "\" is not an https:// URL such as https://graph.example\n";
    return std::nullopt;
  }
  if (http) {
    const std::string host = host_port[0] == '[' ? host_port.substr(0, host_port.find(']') + 1)
                                                 : host_port.substr(0, host_port.find(':'));
    if (host != "127.0.0.1" && host != "localhost" && host != "[::1]") {
      err << "vigil: " << flag << ": http:// is allowed only for a loopback host (credentials "
          << "would travel in clear); use https://\n";
      return std::nullopt;
    }
  }
  std::string base = url;
  while (base.size() > host_start && base.back() == '/') base.pop_back();
  return base;
}

// Joins flag names: "--a, --b".
std::string Flags(const std::vector<std::string>& flags) {
  std::string joined;
  for (const std::string& f : flags) joined += (joined.empty() ? "" : ", ") + f;
  return joined;
}

// The client secret in the file at `path` (a regular file, or a pipe such
// as /dev/stdin), without its trailing newline. The caller scrubs it
// (ScrubString).
Result<std::string> ReadClientSecret(const std::string& path) {
  const std::string named = "--client-secret-file " + path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(named + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  Status status;
  if (::fstat(fd, &st) != 0) {
    status = Status::IoError(named + ": cannot stat: " + std::strerror(errno));
  } else if (S_ISDIR(st.st_mode)) {
    status = Status::InvalidArgument(named + " is a directory");
  }
  // One buffer, allocated once: nothing the scrub below misses is left behind.
  std::string secret;
  size_t used = 0;
  if (status.ok()) {
    secret.resize(kMaxSecretFileBytes + 1);
    while (used < secret.size()) {
      const ssize_t n = ::read(fd, secret.data() + used, secret.size() - used);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) status = Status::IoError(named + ": cannot read: " + std::strerror(errno));
      if (n <= 0) break;
      used += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  if (status.ok() && used > kMaxSecretFileBytes) {
    status = Status::InvalidArgument(named +
                                     " is larger than 64 KiB; it must hold only the "
                                     "client secret");
  }
  secret.resize(std::min(used, secret.size()));
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
    secret.back() = '\0';
    secret.pop_back();
  }
  if (status.ok() && secret.empty()) {
    status = Status::InvalidArgument(named + " is empty; it must hold the client secret");
  }
  if (status.ok() && secret.find_first_of("\r\n") != std::string::npos) {
    status = Status::InvalidArgument(named +
                                     " holds more than one line; it must hold only the "
                                     "client secret");
  }
  if (!status.ok()) {
    ScrubString(&secret);
    return status;
  }
  return secret;
}

// The settings JSON of a microsoft365 data source, its secret sealed; or
// nullopt after printing why not. `exit_status` says which kind of failure.
std::optional<std::string> Microsoft365Settings(const SourceAddCommand& cmd, std::ostream& err,
                                                int* exit_status) {
  *exit_status = kExitUsage;
  std::vector<std::string> missing;
  if (cmd.tenant_id.empty()) missing.push_back("--tenant-id");
  if (cmd.client_id.empty()) missing.push_back("--client-id");
  if (cmd.client_secret_file.empty()) missing.push_back("--client-secret-file");
  if (!missing.empty()) {
    err << "vigil: --provider microsoft365 needs " << Flags(missing) << "\n";
    return std::nullopt;
  }
  if (!cmd.dir.empty()) {
    err << "vigil: --provider microsoft365 does not take --dir\n";
    return std::nullopt;
  }
  auto id_ok = [&err](const char* flag, const std::string& value) {
    if (IsGuid(value) || IsDomain(value)) return true;
    err << "vigil: " << flag << ": \"" << value
        << "\" is neither a GUID (8-4-4-4-12 hex digits) nor a domain such as "
           "contoso.onmicrosoft.com\n";
    return false;
  };
  if (!id_ok("--tenant-id", cmd.tenant_id) || !id_ok("--client-id", cmd.client_id)) {
    return std::nullopt;
  }
  nlohmann::json settings = {{"tenant_id", cmd.tenant_id}, {"client_id", cmd.client_id}};
  if (!cmd.authority_url.empty()) {
    std::optional<std::string> url = BaseUrlOrReport("--authority-url", cmd.authority_url, err);
    if (!url) return std::nullopt;
    settings["authority_url"] = *url;
  }
  if (!cmd.graph_url.empty()) {
    std::optional<std::string> url = BaseUrlOrReport("--graph-url", cmd.graph_url, err);
    if (!url) return std::nullopt;
    settings["graph_url"] = *url;
  }
  *exit_status = kExitFailed;
  Result<SecretKey> key = LoadSecretKey();
  if (!key.ok()) {
    err << "vigil: " << key.status().message() << "\n";
    return std::nullopt;
  }
  Result<std::string> secret = ReadClientSecret(cmd.client_secret_file);
  if (!secret.ok()) {
    err << "vigil: " << secret.status().message() << "\n";
    return std::nullopt;
  }
  settings["client_secret"] = Seal(*key, *secret);
  ScrubString(&secret.value());
  return settings.dump();
}

// The settings JSON of a graph_json data source, or nullopt after printing why not.
std::optional<std::string> GraphJsonSettings(const SourceAddCommand& cmd, std::ostream& err,
                                             int* exit_status) {
  *exit_status = kExitUsage;
  std::vector<std::string> foreign;
  if (!cmd.tenant_id.empty()) foreign.push_back("--tenant-id");
  if (!cmd.client_id.empty()) foreign.push_back("--client-id");
  if (!cmd.client_secret_file.empty()) foreign.push_back("--client-secret-file");
  if (!cmd.authority_url.empty()) foreign.push_back("--authority-url");
  if (!cmd.graph_url.empty()) foreign.push_back("--graph-url");
  if (!foreign.empty()) {
    err << "vigil: --provider graph_json does not take " << Flags(foreign) << "\n";
    return std::nullopt;
  }
  if (cmd.dir.empty()) {
    err << "vigil: --provider graph_json needs --dir\n";
    return std::nullopt;
  }
  *exit_status = kExitFailed;
  std::error_code ec;
  if (!std::filesystem::is_directory(cmd.dir, ec)) {
    err << "vigil: --dir " << cmd.dir << ": no such directory\n";
    return std::nullopt;
  }
  std::filesystem::path absolute = std::filesystem::absolute(cmd.dir, ec).lexically_normal();
  if (!absolute.has_filename() && absolute.has_relative_path()) absolute = absolute.parent_path();
  return nlohmann::json{{"dir", absolute.string()}}.dump();
}

struct Stored {
  DataSourceRow source;
  bool existed = false;
  bool settings_changed = false;
  Schedule schedule;
};

// Writes the tenant, the data source and its schedule in one transaction.
// `every_ms` 0 keeps an existing schedule's interval.
Result<Stored> StoreDataSource(Db* db, const std::string& tenant_name, const std::string& name,
                               const std::string& provider, const std::string& settings,
                               int64_t every_ms, TimeMs now) {
  Transaction tx(db);
  VIGIL_RETURN_IF_ERROR(tx.status());
  Stored stored;
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

// ---- showing `sources` ---------------------------------------------------

bool IsSecretSetting(const std::string& key) {
  auto ends_with = [&key](std::string_view suffix) {
    return key.size() >= suffix.size() &&
           key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with("secret") || key.find("password") != std::string::npos;
}

// The settings object with every secret replaced by "(sealed)" (or
// "(hidden)" for one that is, wrongly, not sealed).
nlohmann::json RedactedSettings(const std::string& text) {
  nlohmann::json settings = nlohmann::json::parse(text, nullptr, false);
  if (!settings.is_object()) return nlohmann::json::object();
  for (auto& [key, value] : settings.items()) {
    if (!IsSecretSetting(key)) continue;
    value = value.is_string() && IsSealed(value.get<std::string>()) ? "(sealed)" : "(hidden)";
  }
  return settings;
}

// "client_id=..., client_secret=(sealed), tenant_id=...".
std::string SettingsLine(const nlohmann::json& settings) {
  std::string line;
  for (const auto& [key, value] : settings.items()) {
    if (!line.empty()) line += ", ";
    line += key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return line.empty() ? "(none)" : line;
}

struct SourceView {
  DataSourceRow row;
  std::string tenant;
  std::optional<Schedule> schedule;
  std::vector<KindAvailability> missing;  // the kinds not available
};

nlohmann::json ToJson(const SourceView& v) {
  nlohmann::json schedule = nullptr;
  if (v.schedule) {
    schedule = {
        {"every", FormatDuration(v.schedule->interval_ms)},
        {"window", v.schedule->window ? nlohmann::json(FormatOffPeakWindow(*v.schedule->window))
                                      : nlohmann::json(nullptr)},
        {"enabled", v.schedule->enabled},
        {"next_run_at", FormatIso8601(v.schedule->next_run_at)}};
  }
  nlohmann::json last_sync = nullptr;
  if (v.row.last_sync_at) {
    last_sync = {{"at", FormatIso8601(*v.row.last_sync_at)},
                 {"status", v.row.last_sync_status},
                 {"error", v.row.last_sync_error.empty() ? nlohmann::json(nullptr)
                                                         : nlohmann::json(v.row.last_sync_error)}};
  }
  nlohmann::json missing = nlohmann::json::array();
  for (const KindAvailability& a : v.missing) {
    missing.push_back(
        {{"kind", a.kind}, {"reason", a.reason}, {"checked_at", FormatIso8601(a.updated_at)}});
  }
  return {{"id", v.row.id},
          {"tenant", v.tenant},
          {"name", v.row.name},
          {"provider", v.row.provider},
          {"settings", RedactedSettings(v.row.settings)},
          {"schedule", schedule},
          {"last_sync", last_sync},
          {"not_available", missing}};
}

// Whole seconds, so the table's columns line up.
std::string ShownTime(TimeMs t) { return FormatIso8601(t - t % 1000); }

// The table, each data source's row followed by its detail lines.
std::string RenderSources(const std::vector<SourceView>& views) {
  Table table({"ID", "TENANT", "SOURCE", "PROVIDER", "EVERY", "NEXT RUN", "LAST SYNC", "STATUS"});
  for (const SourceView& v : views) {
    std::string every = "-", next = "-";
    if (v.schedule) {
      every = FormatDuration(v.schedule->interval_ms);
      if (v.schedule->window) every += " in " + FormatOffPeakWindow(*v.schedule->window);
      if (!v.schedule->enabled) every += " (off)";
      next = ShownTime(v.schedule->next_run_at);
    }
    table.AddRow({std::to_string(v.row.id), v.tenant, v.row.name, v.row.provider, every, next,
                  v.row.last_sync_at ? ShownTime(*v.row.last_sync_at) : "never",
                  v.row.last_sync_status.empty() ? "-" : v.row.last_sync_status});
  }
  const std::string rendered = table.Render();
  std::string out;
  size_t start = 0;
  for (size_t line = 0; start < rendered.size(); ++line) {
    const size_t end = rendered.find('\n', start) + 1;
    out.append(rendered, start, end - start);
    start = end;
    if (line == 0) continue;
    const SourceView& v = views[line - 1];
    out += "    settings: " + SettingsLine(RedactedSettings(v.row.settings)) + "\n";
    if (!v.row.last_sync_error.empty()) out += "    error: " + v.row.last_sync_error + "\n";
    for (const KindAvailability& a : v.missing) {
      out += "    not available: " + a.kind + ": " + a.reason + "\n";
    }
  }
  return out;
}

// Every data source of `tenant` (of every tenant when it is null), by id.
Result<std::vector<SourceView>> LoadSourceViews(Db* db, const std::optional<TenantRow>& tenant) {
  std::vector<TenantRow> tenants;
  if (tenant) {
    tenants.push_back(*tenant);
  } else {
    VIGIL_ASSIGN_OR_RETURN(auto st, db->Prepare("SELECT id, name FROM tenants ORDER BY id"));
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      tenants.push_back(TenantRow{st->Int(0), st->String(1)});
    }
  }
  const int64_t tenant_id = tenant ? tenant->id : 0;
  VIGIL_ASSIGN_OR_RETURN(std::vector<Schedule> schedules, ListSchedules(db, tenant_id));
  VIGIL_ASSIGN_OR_RETURN(std::vector<KindAvailability> availability,
                         ListKindAvailability(db, tenant_id));
  std::vector<SourceView> views;
  for (const TenantRow& t : tenants) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<DataSourceRow> rows, ListDataSources(db, t.id));
    for (DataSourceRow& row : rows) views.push_back(SourceView{std::move(row), t.name, {}, {}});
  }
  std::sort(views.begin(), views.end(),
            [](const SourceView& a, const SourceView& b) { return a.row.id < b.row.id; });
  std::map<int64_t, SourceView*> by_id;
  for (SourceView& v : views) by_id[v.row.id] = &v;
  for (const Schedule& s : schedules) {
    if (auto it = by_id.find(s.data_source_id); it != by_id.end()) it->second->schedule = s;
  }
  for (const KindAvailability& a : availability) {
    auto it = by_id.find(a.data_source_id);
    if (it != by_id.end() && !a.available) it->second->missing.push_back(a);
  }
  return views;
}

}  // namespace

int RunSourceAdd(const SourceAddCommand& cmd, std::ostream& out, std::ostream& err) {
  if (Status s = ValidateTenantName(cmd.tenant); !s.ok()) {
    err << "vigil: --tenant: " << s.message() << "\n";
    return kExitUsage;
  }
  if (cmd.provider != kMicrosoft365 && cmd.provider != kGraphJson) {
    err << "vigil: --provider: unknown provider \"" << cmd.provider
        << "\" (known: microsoft365, graph_json)\n";
    return kExitUsage;
  }
  const std::string name =
      !cmd.name.empty() ? cmd.name : (cmd.provider == kMicrosoft365 ? kMicrosoft365 : "graph");
  if (!IsSourceName(name)) {
    err << "vigil: --name: data source name \"" << name
        << "\" must be 1 to 128 letters, digits, '.', '-' or '_'\n";
    return kExitUsage;
  }
  const std::optional<int64_t> every = ScheduleIntervalOrReport(cmd.every, err);
  if (!every) return kExitUsage;
  const int64_t every_ms = *every;
  int failed = kExitFailed;
  std::optional<std::string> settings = cmd.provider == kMicrosoft365
                                            ? Microsoft365Settings(cmd, err, &failed)
                                            : GraphJsonSettings(cmd, err, &failed);
  if (!settings) return failed;

  std::unique_ptr<Db> db = OpenDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  const TimeMs now = NewSystemClock()->NowMs();
  Result<Stored> stored =
      StoreDataSource(db.get(), cmd.tenant, name, cmd.provider, *settings, every_ms, now);
  if (!stored.ok()) {
    err << "vigil: " << cmd.tenant << ": " << stored.status().message() << "\n";
    return kExitFailed;
  }
  const std::string what =
      "data source \"" + name + "\" (" + cmd.provider + ") of tenant \"" + cmd.tenant + "\"";
  const std::string when = "`vigil serve` syncs it every " +
                           FormatDuration(stored->schedule.interval_ms) + ", next at " +
                           ShownTime(stored->schedule.next_run_at);
  out << stored->source.id << "\n";
  if (!stored->existed) {
    err << "added " << what << "; " << when << "\n";
  } else if (stored->settings_changed) {
    err << "updated the settings of " << what
        << (cmd.provider == kMicrosoft365 ? " (client secret sealed anew)" : "") << "; " << when
        << "\n";
  } else {
    err << what << " exists with these settings already; " << when << "\n";
  }
  return kExitOk;
}

int RunSources(const SourcesCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  std::optional<TenantRow> tenant;
  if (!cmd.tenant.empty()) {
    tenant = FindTenantOrReport(db.get(), cmd.tenant, err);
    if (!tenant) return kExitFailed;
  }
  Result<std::vector<SourceView>> views = LoadSourceViews(db.get(), tenant);
  if (!views.ok()) {
    err << "vigil: " << views.status().message() << "\n";
    return kExitFailed;
  }
  if (cmd.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const SourceView& v : *views) arr.push_back(ToJson(v));
    out << arr.dump(2) << "\n";
    return kExitOk;
  }
  if (views->empty()) {
    out << "no data sources" << (tenant ? " for tenant \"" + tenant->name + "\"" : "")
        << " (add one with `vigil source add`)\n";
    return kExitOk;
  }
  out << RenderSources(*views);
  return kExitOk;
}

}  // namespace vigil
