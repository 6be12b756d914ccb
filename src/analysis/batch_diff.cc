#include "analysis/batch_diff.h"

#include <tuple>

namespace vigil {
namespace {

bool KeyLess(const Finding& a, const Finding& b) {
  return std::tie(a.alert_type, a.subject) < std::tie(b.alert_type, b.subject);
}

}  // namespace

BatchDiff DiffBatches(const Batch& from, const Batch& to, size_t examples_per_change) {
  BatchDiff diff;
  size_t opens = 0, resolves = 0, changes = 0;
  auto example = [&](size_t* taken, const char* change, const Finding& f,
                     std::string from_severity) {
    if (*taken >= examples_per_change) return;
    ++*taken;
    diff.examples.push_back(DiffExample{change, f.alert_type, f.subject, f.subject_name,
                                        std::string(SeverityName(f.severity)),
                                        std::move(from_severity)});
  };
  auto a = from.findings.begin();
  auto b = to.findings.begin();
  while (a != from.findings.end() || b != to.findings.end()) {
    if (b == to.findings.end() || (a != from.findings.end() && KeyLess(*a, *b))) {
      ++diff.would_resolve;
      example(&resolves, "would_resolve", *a, "");
      ++a;
    } else if (a == from.findings.end() || KeyLess(*b, *a)) {
      ++diff.would_open;
      example(&opens, "would_open", *b, "");
      ++b;
    } else {
      if (a->severity != b->severity) {
        ++diff.would_change_severity;
        example(&changes, "would_change_severity", *b, std::string(SeverityName(a->severity)));
      } else {
        ++diff.unchanged;
      }
      ++a;
      ++b;
    }
  }
  return diff;
}

}  // namespace vigil
