#include "analysis/source_scope.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "analysis/alert_types.h"
#include "common/json_writer.h"

namespace vigil {
namespace {

// The data source of the finding's subject, or nullopt when the subject is
// not a known user or SKU.
std::optional<uint32_t> SubjectSource(const DataContext& ctx, const Finding& f,
                                      SubjectKind kind) {
  if (kind == SubjectKind::kUser) {
    auto it = ctx.user_index.find(f.subject);
    if (it == ctx.user_index.end() || it->second >= ctx.user_source.size()) return std::nullopt;
    return ctx.user_source[it->second];
  }
  if (kind == SubjectKind::kSku) {
    auto it = ctx.sku_index.find(f.subject);
    if (it == ctx.sku_index.end() || it->second >= ctx.sku_source.size()) return std::nullopt;
    return ctx.sku_source[it->second];
  }
  return std::nullopt;
}

// `details` (a JSON object) with "sources" added as its last member.
std::string WithSources(const std::string& details, const std::vector<std::string>& names) {
  const std::string member = JsonObjectWriter().Strings("sources", names).Finish();
  if (details.size() < 2 || details.back() != '}') return details;
  std::string out = details.substr(0, details.size() - 1);
  if (out != "{") out += ',';
  out.append(member, 1);
  return out;
}

struct Merged {
  Finding finding;
  std::set<uint32_t> sources;
};

}  // namespace

void DropGapFindings(const DataContext& ctx, std::vector<Finding>* findings) {
  if (ctx.sources.empty()) return;
  std::erase_if(*findings, [&](const Finding& f) {
    const std::optional<Gap> gap = GapOfAlertType(f.alert_type);
    const AlertTypeInfo* info = FindAlertType(f.alert_type);
    if (!gap || info == nullptr) return false;
    const std::optional<uint32_t> source = SubjectSource(ctx, f, info->subject_kind);
    return source && ctx.SourceGap(*source, *gap).has_value();
  });
}

std::vector<std::string> GapNotes(const DataContext& ctx, std::string_view analysis_type) {
  std::vector<std::string> notes;
  const auto& disabled = ctx.preferences.disabled_alert_types;
  for (const AlertTypeInfo* info : AlertTypesOf(analysis_type)) {
    const std::optional<Gap> gap = GapOfAlertType(info->name);
    if (!gap || disabled.count(std::string(info->name)) > 0) continue;
    for (uint32_t s = 0; s < ctx.sources.size(); ++s) {
      const std::optional<std::string_view> reason = ctx.SourceGap(s, *gap);
      if (!reason) continue;
      notes.push_back(std::string(info->name) + ": not available for data source \"" +
                      ctx.sources[s].name + "\" (" + ctx.sources[s].provider +
                      "): " + std::string(*reason));
    }
  }
  return notes;
}

void MergePersons(const DataContext& ctx, std::vector<Finding>* findings) {
  if (ctx.user_source.size() != ctx.users.size() || ctx.users.empty()) return;
  const bool several = ctx.sources.size() >= 2;
  std::vector<Finding> others;
  std::map<std::pair<std::string, uint32_t>, Merged> persons;
  std::vector<std::pair<std::string, uint32_t>> order;
  for (Finding& f : *findings) {
    const AlertTypeInfo* info = FindAlertType(f.alert_type);
    auto it = ctx.user_index.find(f.subject);
    if (info == nullptr || info->subject_kind != SubjectKind::kUser || it == ctx.user_index.end()) {
      others.push_back(std::move(f));
      continue;
    }
    const uint32_t person = ctx.PersonOf(it->second);
    const uint32_t source = ctx.user_source[it->second];
    auto key = std::make_pair(f.alert_type, person);
    auto [slot, added] = persons.try_emplace(key);
    if (added) {
      order.push_back(key);
      f.subject = ctx.users[person].id;
      f.subject_name = ctx.users[person].upn;
      slot->second.finding = std::move(f);
    } else {
      Finding& kept = slot->second.finding;
      const Severity severity = std::max(kept.severity, f.severity);
      if (it->second == person) kept.details = std::move(f.details);  // the naming account's own
      kept.severity = severity;
    }
    slot->second.sources.insert(source);
  }
  findings->swap(others);
  for (const auto& key : order) {
    Merged& m = persons[key];
    if (several) {
      std::vector<std::string> names;
      for (uint32_t s : m.sources) {
        if (s < ctx.sources.size()) names.push_back(ctx.sources[s].name);
      }
      m.finding.details = WithSources(m.finding.details, names);
    }
    findings->push_back(std::move(m.finding));
  }
}

}  // namespace vigil
