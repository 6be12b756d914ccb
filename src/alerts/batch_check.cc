#include "alerts/batch_check.h"

#include <algorithm>
#include <map>
#include <utility>

#include "analysis/alert_types.h"
#include "common/hash.h"
#include "common/json_text.h"

namespace vigil {
namespace {

bool LooksLikeJsonObject(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  size_t last = text.find_last_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{' && text[last] == '}';
}

using FindingKey = std::pair<std::string_view, std::string_view>;  // (alert type, subject)

FindingKey KeyOf(const Finding& f) { return {f.alert_type, f.subject}; }

// "finding 3 (\"mfa.user_not_registered\")": where a message points.
std::string Where(const Batch& batch, size_t i) {
  return "finding " + std::to_string(i) + " (" + JsonQuote(batch.findings[i].alert_type) + ")";
}

// OK when finding `i` can be applied on its own (everything but repeats).
Status CheckFinding(const Batch& batch, size_t i) {
  const Finding& f = batch.findings[i];
  const AlertTypeInfo* info = FindAlertType(f.alert_type);
  if (info == nullptr) {
    return Status::InvalidArgument(Where(batch, i) + ": unknown alert type " +
                                   JsonQuote(f.alert_type));
  }
  if (info->analysis_type != batch.analysis_type) {
    return Status::InvalidArgument(Where(batch, i) + ": alert type " + JsonQuote(f.alert_type) +
                                   " belongs to analysis type " + JsonQuote(info->analysis_type) +
                                   ", not " + JsonQuote(batch.analysis_type));
  }
  if (f.subject.empty()) return Status::InvalidArgument(Where(batch, i) + ": empty subject");
  if (!LooksLikeJsonObject(f.details)) {
    return Status::InvalidArgument(Where(batch, i) + ": details are not a JSON object");
  }
  return Status::Ok();
}

Status Repeats(const Batch& batch, size_t i, size_t earlier) {
  return Status::InvalidArgument(Where(batch, i) + ": subject " +
                                 JsonQuote(batch.findings[i].subject) + " repeats finding " +
                                 std::to_string(earlier));
}

}  // namespace

Status CheckBatch(const Batch& batch) {
  if (!IsAnalysisType(batch.analysis_type)) {
    return Status::InvalidArgument("unknown analysis type " + JsonQuote(batch.analysis_type));
  }
  // Analyzers sort their findings by (alert type, subject), so a repeat is
  // the finding before; only an unsorted batch needs the index of them all.
  std::map<FindingKey, size_t> seen;
  bool sorted = true;
  for (size_t i = 0; i < batch.findings.size(); ++i) {
    VIGIL_RETURN_IF_ERROR(CheckFinding(batch, i));
    const FindingKey key = KeyOf(batch.findings[i]);
    if (sorted && i > 0) {
      const FindingKey before = KeyOf(batch.findings[i - 1]);
      if (before == key) return Repeats(batch, i, i - 1);
      if (key < before) {
        sorted = false;
        for (size_t k = 0; k < i; ++k) seen.emplace(KeyOf(batch.findings[k]), k);
      }
    }
    if (sorted) continue;
    auto [it, inserted] = seen.emplace(key, i);
    if (!inserted) return Repeats(batch, i, it->second);
  }
  return Status::Ok();
}

std::string BatchDigest(const Batch& batch) {
  std::vector<const Finding*> sorted;
  sorted.reserve(batch.findings.size());
  for (const Finding& f : batch.findings) sorted.push_back(&f);
  auto by_key = [](const Finding* a, const Finding* b) { return KeyOf(*a) < KeyOf(*b); };
  if (!std::is_sorted(sorted.begin(), sorted.end(), by_key)) {
    std::sort(sorted.begin(), sorted.end(), by_key);
  }
  std::string text(BatchStatusName(batch.status));
  text += '\n';
  for (const Finding* f : sorted) {
    AppendJsonString(&text, f->alert_type);
    AppendJsonString(&text, f->subject);
    AppendJsonString(&text, f->subject_name);
    AppendJsonString(&text, SeverityName(f->severity));
    AppendJsonString(&text, f->details);
    text += '\n';
  }
  return HashHex(text);
}

}  // namespace vigil
