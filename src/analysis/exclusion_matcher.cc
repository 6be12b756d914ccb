#include "analysis/exclusion_matcher.h"

#include "analysis/alert_types.h"

namespace vigil {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

ExclusionMatcher::ExclusionMatcher(const DataContext& ctx) : ctx_(ctx) {
  entries_.reserve(ctx.exclusions.size());
  for (const Exclusion& e : ctx.exclusions) {
    Entry entry{&e, {}, {}};
    if (e.kind == "user") entry.value = Lower(e.value);
    if (e.kind == "group") {
      const std::string wanted = Lower(e.value);
      for (const GroupRecord& group : ctx.groups) {
        if (Lower(group.id) != wanted) continue;
        for (const std::string& member : group.member_ids) entry.members.insert(Lower(member));
      }
    }
    entries_.push_back(std::move(entry));
  }
}

const Exclusion* ExclusionMatcher::Match(const Finding& finding) const {
  const std::string_view subject_kind = SubjectKindOfAlertType(finding.alert_type);
  if (subject_kind != "user" && subject_kind != "sku") return nullptr;
  // A user's id and UPN in lower case, computed once and only when needed.
  std::string user_id, upn;
  bool user_known = false;
  auto user = [&] {
    if (user_known) return;
    user_known = true;
    user_id = Lower(finding.subject);
    auto it = ctx_.user_index.find(finding.subject);
    upn = Lower(it != ctx_.user_index.end() ? std::string_view(ctx_.users[it->second].upn)
                                            : std::string_view(finding.subject_name));
  };
  for (const Entry& entry : entries_) {
    const Exclusion& e = *entry.exclusion;
    if (!ExclusionCovers(e.alert_type, finding.alert_type)) continue;
    if (e.kind == "sku") {
      if (subject_kind == "sku" && finding.subject_name == e.value) return &e;
      continue;
    }
    if (subject_kind != "user") continue;
    user();
    if (e.kind == "user") {
      if (user_id == entry.value || upn == entry.value) return &e;
    } else if (e.kind == "group") {
      if (entry.members.count(user_id) > 0) return &e;
    }
  }
  return nullptr;
}

}  // namespace vigil
