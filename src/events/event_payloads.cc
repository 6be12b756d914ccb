#include "events/event_payloads.h"

#include <string_view>

#include "common/json_text.h"
#include "common/time.h"

namespace vigil {
namespace {

// Writes a JSON object field by field, in call order.
class ObjectWriter {
 public:
  ObjectWriter() { text_.push_back('{'); }

  ObjectWriter& Int(std::string_view name, int64_t value) {
    Name(name);
    text_ += std::to_string(value);
    return *this;
  }
  ObjectWriter& String(std::string_view name, std::string_view value) {
    Name(name);
    AppendJsonString(&text_, value);
    return *this;
  }
  ObjectWriter& Bool(std::string_view name, bool value) {
    Name(name);
    text_ += value ? "true" : "false";
    return *this;
  }
  // `value` is JSON text already.
  ObjectWriter& Raw(std::string_view name, std::string_view value) {
    Name(name);
    text_ += value;
    return *this;
  }
  std::string Done() {
    text_.push_back('}');
    return std::move(text_);
  }

 private:
  void Name(std::string_view name) {
    if (text_.size() > 1) text_.push_back(',');
    AppendJsonString(&text_, name);
    text_.push_back(':');
  }

  std::string text_;
};

Event MakeEvent(std::string_view type, int64_t tenant_id, std::string trace_id, TimeMs at,
                std::string payload) {
  Event e;
  e.type = std::string(type);
  e.tenant_id = tenant_id;
  e.trace_id = std::move(trace_id);
  e.at = at;
  e.payload = std::move(payload);
  return e;
}

}  // namespace

Event ToEvent(const SyncCompletedPayload& p, std::string trace_id, TimeMs at) {
  return MakeEvent(kEventSyncCompleted, p.tenant_id, std::move(trace_id), at,
                   ObjectWriter()
                       .Int("tenant_id", p.tenant_id)
                       .Int("data_source_id", p.data_source_id)
                       .Int("sync_id", p.sync_id)
                       .Int("created", p.created)
                       .Int("updated", p.updated)
                       .Int("deleted", p.deleted)
                       .Done());
}

Event ToEvent(const SyncFailedPayload& p, std::string trace_id, TimeMs at) {
  return MakeEvent(kEventSyncFailed, p.tenant_id, std::move(trace_id), at,
                   ObjectWriter()
                       .Int("tenant_id", p.tenant_id)
                       .Int("data_source_id", p.data_source_id)
                       .Int("sync_id", p.sync_id)
                       .String("error", p.error)
                       .Done());
}

Event ToEvent(const AnalysisCompletedPayload& p, std::string trace_id, TimeMs at) {
  ObjectWriter batches;
  for (const auto& [type, status] : p.batches) batches.String(type, status);
  return MakeEvent(kEventAnalysisCompleted, p.tenant_id, std::move(trace_id), at,
                   ObjectWriter()
                       .Int("tenant_id", p.tenant_id)
                       .String("run_id", p.run_id)
                       .Raw("batches", batches.Done())
                       .Int("opened", p.opened)
                       .Int("updated", p.updated)
                       .Int("resolved", p.resolved)
                       .Int("reopened", p.reopened)
                       .Done());
}

Event ToEvent(const AlertChangedPayload& p, std::string trace_id, TimeMs at) {
  const std::string snoozed_until =
      p.snoozed_until ? JsonQuote(FormatIso8601(*p.snoozed_until)) : std::string("null");
  return MakeEvent("alert." + p.transition, p.tenant_id, std::move(trace_id), at,
                   ObjectWriter()
                       .Int("tenant_id", p.tenant_id)
                       .Int("alert_id", p.alert_id)
                       .String("run_id", p.run_id)
                       .String("alert_type", p.alert_type)
                       .String("subject", p.subject)
                       .String("severity", p.severity)
                       .Bool("muted", p.snoozed_until.has_value())
                       .Raw("snoozed_until", snoozed_until)
                       .Done());
}

}  // namespace vigil
