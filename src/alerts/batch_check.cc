#include "alerts/batch_check.h"

#include <algorithm>
#include <map>
#include <tuple>
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

}  // namespace

Status CheckBatch(const Batch& batch) {
  if (!IsAnalysisType(batch.analysis_type)) {
    return Status::InvalidArgument("unknown analysis type " + JsonQuote(batch.analysis_type));
  }
  std::map<std::pair<std::string_view, std::string_view>, size_t> seen;
  for (size_t i = 0; i < batch.findings.size(); ++i) {
    const Finding& f = batch.findings[i];
    const std::string where = "finding " + std::to_string(i) + " (" + JsonQuote(f.alert_type) + ")";
    const AlertTypeInfo* info = FindAlertType(f.alert_type);
    if (info == nullptr) {
      return Status::InvalidArgument(where + ": unknown alert type " + JsonQuote(f.alert_type));
    }
    if (info->analysis_type != batch.analysis_type) {
      return Status::InvalidArgument(where + ": alert type " + JsonQuote(f.alert_type) +
                                     " belongs to analysis type " + JsonQuote(info->analysis_type) +
                                     ", not " + JsonQuote(batch.analysis_type));
    }
    if (f.subject.empty()) return Status::InvalidArgument(where + ": empty subject");
    if (!LooksLikeJsonObject(f.details)) {
      return Status::InvalidArgument(where + ": details are not a JSON object");
    }
    auto [it, inserted] = seen.emplace(
        std::make_pair(std::string_view(f.alert_type), std::string_view(f.subject)), i);
    if (!inserted) {
      return Status::InvalidArgument(where + ": subject " + JsonQuote(f.subject) +
                                     " repeats finding " + std::to_string(it->second));
    }
  }
  return Status::Ok();
}

std::string BatchDigest(const Batch& batch) {
  std::vector<const Finding*> sorted;
  sorted.reserve(batch.findings.size());
  for (const Finding& f : batch.findings) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(), [](const Finding* a, const Finding* b) {
    return std::tie(a->alert_type, a->subject) < std::tie(b->alert_type, b->subject);
  });
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
