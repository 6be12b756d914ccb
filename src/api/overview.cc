#include "api/overview.h"

#include <algorithm>
#include <charconv>
#include <tuple>
#include <utility>

#include "alerts/alert_store.h"
#include "alerts/analysis_ledger.h"
#include "providers/coverage.h"
#include "api/source_json.h"
#include "common/json_text.h"
#include "common/time.h"
#include "context/preferences.h"

namespace vigil {
namespace {

// What LoadOverview reads, before it is put together.
struct Reads {
  std::vector<TenantRow> tenants;
  std::map<int64_t, std::map<std::string, int64_t>> open;
  std::map<int64_t, FlappingAndSnoozed> flapping_snoozed;
  std::map<int64_t, TimeMs> last_analysis;
  std::vector<SourceView> sources;
  std::map<int64_t, Preferences> preferences;
  std::map<int64_t, std::vector<OpenAlertDay>> trends;
};

// Every read, in one snapshot (kOverviewStatements statements).
Status Read(Db* db, int64_t tenant_id, TimeMs now, Reads* r) {
  if (tenant_id != 0) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<TenantRow> one, GetTenant(db, tenant_id));
    if (one) r->tenants.push_back(std::move(*one));
  } else {
    VIGIL_ASSIGN_OR_RETURN(r->tenants, ListTenants(db));
  }
  VIGIL_ASSIGN_OR_RETURN(r->open, CountOpenAlertsByTenant(db, tenant_id));
  VIGIL_ASSIGN_OR_RETURN(r->flapping_snoozed, CountFlappingAndSnoozedByTenant(db, tenant_id, now));
  VIGIL_ASSIGN_OR_RETURN(r->last_analysis, LastAnalysisByTenant(db, tenant_id));
  VIGIL_ASSIGN_OR_RETURN(r->sources, LoadSourceViews(db, tenant_id));
  VIGIL_ASSIGN_OR_RETURN(r->preferences, LoadPreferencesOfTenants(db, tenant_id));
  VIGIL_ASSIGN_OR_RETURN(r->trends, LoadOpenAlertTrend(db, tenant_id, now, kOverviewTrendDays));
  return Status::Ok();
}

std::string SourceStatus(const DataSourceRow& row, const Preferences& prefs, TimeMs now) {
  if (!row.last_sync_at) return "never";
  if (row.last_sync_status == "failed") return "failed";
  if (prefs.IsStale(*row.last_sync_at, now)) return "stale";
  return "ok";
}

// The tenants' data sources, by tenant.
std::map<int64_t, std::vector<OverviewSource>> Sources(Reads* r, TimeMs now) {
  std::map<int64_t, std::vector<OverviewSource>> by_tenant;
  const Preferences defaults;
  for (SourceView& v : r->sources) {
    auto prefs = r->preferences.find(v.row.tenant_id);
    OverviewSource s;
    s.id = v.row.id;
    s.name = std::move(v.row.name);
    s.provider = std::move(v.row.provider);
    s.status = SourceStatus(v.row, prefs == r->preferences.end() ? defaults : prefs->second, now);
    s.last_sync_at = v.row.last_sync_at;
    s.error = std::move(v.row.last_sync_error);
    // A kind the provider never has (Workspace: policies) is no degradation.
    for (KindAvailability& k : v.missing) {
      const std::optional<EntityKind> kind = ParseKind(k.kind);
      if (!kind || !KindAbsentFrom(s.provider, *kind)) s.unavailable.push_back(std::move(k));
    }
    by_tenant[v.row.tenant_id].push_back(std::move(s));
  }
  return by_tenant;
}

OpenBySeverity OpenCounts(const std::map<std::string, int64_t>& by_name) {
  OpenBySeverity open;
  for (const auto& [severity, n] : by_name) {
    if (severity == "critical") open.critical = n;
    if (severity == "high") open.high = n;
    if (severity == "medium") open.medium = n;
    if (severity == "low") open.low = n;
    open.total += n;
  }
  return open;
}

// `empty`: the trend of a tenant without counts (computed once: its days
// are formatted dates).
OverviewRow Row(TenantRow tenant, Reads* r, std::vector<OverviewSource> sources,
                const std::vector<OpenAlertDay>& empty) {
  OverviewRow row;
  const int64_t id = tenant.id;
  row.tenant = std::move(tenant);
  if (auto it = r->open.find(id); it != r->open.end()) row.open = OpenCounts(it->second);
  if (auto it = r->flapping_snoozed.find(id); it != r->flapping_snoozed.end()) {
    row.flapping = it->second.flapping;
    row.snoozed = it->second.snoozed;
  }
  if (auto it = r->last_analysis.find(id); it != r->last_analysis.end()) {
    row.last_analysis_at = it->second;
  }
  for (const OverviewSource& s : sources) {
    if (s.last_sync_at && (!row.last_sync_at || *s.last_sync_at > *row.last_sync_at)) {
      row.last_sync_at = s.last_sync_at;
    }
  }
  row.sources = std::move(sources);
  auto trend = r->trends.find(id);
  row.trend = trend != r->trends.end() ? std::move(trend->second) : empty;
  return row;
}

// Worst first: more critical, then high, medium and low open alerts; then by name.
bool Worse(const OverviewRow& a, const OverviewRow& b) {
  return std::tie(b.open.critical, b.open.high, b.open.medium, b.open.low, a.tenant.name) <
         std::tie(a.open.critical, a.open.high, a.open.medium, a.open.low, b.tenant.name);
}

// JSON written straight into one string: the overview of a large fleet is
// megabytes, most of it the trends' 30 entries per tenant. Keys are
// constants that need no escaping; strings go through the one escaper.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  // Before each member of an object (Key does it) or item of an array.
  Writer& Item() {
    if (!first_) *out_ += ',';
    first_ = false;
    return *this;
  }
  Writer& Key(std::string_view key) {
    Item();
    *out_ += '"';
    *out_ += key;
    *out_ += "\":";
    return *this;
  }
  void Int(int64_t n) {
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out_->append(digits, static_cast<size_t>(end - digits));
  }
  void String(std::string_view s) { AppendJsonString(out_, s); }
  // Text known to need no escaping (a day: digits and dashes), quoted.
  void Plain(std::string_view s) {
    *out_ += '"';
    *out_ += s;
    *out_ += '"';
  }
  void Time(const std::optional<TimeMs>& t) {
    if (t) {
      String(FormatIso8601(*t));
    } else {
      *out_ += "null";
    }
  }
  Writer& Open(char c) {
    *out_ += c;
    first_ = true;
    return *this;
  }
  void Close(char c) {
    *out_ += c;
    first_ = false;
  }

 private:
  std::string* out_;
  bool first_ = true;
};

void WriteSource(const OverviewSource& s, Writer* w) {
  w->Item().Open('{');
  w->Key("id").Int(s.id);
  w->Key("name").String(s.name);
  w->Key("provider").String(s.provider);
  w->Key("status").String(s.status);
  w->Key("last_sync_at").Time(s.last_sync_at);
  if (s.error.empty()) {
    w->Key("error").Time(std::nullopt);  // writes null
  } else {
    w->Key("error").String(s.error);
  }
  w->Key("unavailable").Open('[');
  for (const KindAvailability& k : s.unavailable) {
    w->Item().Open('{');
    w->Key("kind").String(k.kind);
    w->Key("reason").String(k.reason);
    w->Close('}');
  }
  w->Close(']');
  w->Close('}');
}

void WriteRow(const OverviewRow& row, Writer* w) {
  w->Item().Open('{');
  w->Key("tenant").String(row.tenant.name);
  w->Key("open").Open('{');
  w->Key("critical").Int(row.open.critical);
  w->Key("high").Int(row.open.high);
  w->Key("medium").Int(row.open.medium);
  w->Key("low").Int(row.open.low);
  w->Key("total").Int(row.open.total);
  w->Close('}');
  w->Key("flapping").Int(row.flapping);
  w->Key("snoozed").Int(row.snoozed);
  w->Key("last_sync_at").Time(row.last_sync_at);
  w->Key("last_analysis_at").Time(row.last_analysis_at);
  w->Key("sources").Open('[');
  for (const OverviewSource& s : row.sources) WriteSource(s, w);
  w->Close(']');
  w->Key("trend").Open('[');
  for (const OpenAlertDay& d : row.trend) {
    w->Item().Open('{');
    w->Key("day").Plain(d.day);
    w->Key("open").Int(d.open);
    w->Close('}');
  }
  w->Close(']');
  w->Close('}');
}

}  // namespace

Result<Overview> LoadOverview(Db* db, int64_t tenant_id, TimeMs now) {
  Reads reads;
  {
    Transaction snapshot(db, Transaction::Kind::kSnapshot);
    VIGIL_RETURN_IF_ERROR(snapshot.status());
    VIGIL_RETURN_IF_ERROR(Read(db, tenant_id, now, &reads));
    VIGIL_RETURN_IF_ERROR(snapshot.Commit());
  }
  std::map<int64_t, std::vector<OverviewSource>> sources = Sources(&reads, now);
  const std::vector<OpenAlertDay> empty = EmptyTrend(now, kOverviewTrendDays);
  Overview overview;
  overview.generated_at = now;
  overview.tenants.reserve(reads.tenants.size());
  for (TenantRow& tenant : reads.tenants) {
    const int64_t id = tenant.id;
    overview.tenants.push_back(Row(std::move(tenant), &reads, std::move(sources[id]), empty));
  }
  std::sort(overview.tenants.begin(), overview.tenants.end(), Worse);
  return overview;
}

std::string OverviewJson(const Overview& overview) {
  std::string out;
  out.reserve(64 + overview.tenants.size() * 1400);
  Writer w(&out);
  w.Open('{');
  w.Key("generated_at").Time(overview.generated_at);
  w.Key("tenants").Open('[');
  for (const OverviewRow& row : overview.tenants) WriteRow(row, &w);
  w.Close(']');
  w.Close('}');
  return out;
}

}  // namespace vigil
