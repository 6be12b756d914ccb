#include "events/event_payloads.h"

#include <string_view>

#include "common/json_writer.h"

namespace vigil {
namespace {

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
                   JsonObjectWriter()
                       .Int("tenant_id", p.tenant_id)
                       .Int("data_source_id", p.data_source_id)
                       .Int("sync_id", p.sync_id)
                       .Int("created", p.created)
                       .Int("updated", p.updated)
                       .Int("deleted", p.deleted)
                       .Finish());
}

Event ToEvent(const SyncFailedPayload& p, std::string trace_id, TimeMs at) {
  return MakeEvent(kEventSyncFailed, p.tenant_id, std::move(trace_id), at,
                   JsonObjectWriter()
                       .Int("tenant_id", p.tenant_id)
                       .Int("data_source_id", p.data_source_id)
                       .Int("sync_id", p.sync_id)
                       .String("error", p.error)
                       .Finish());
}

Event ToEvent(const AnalysisCompletedPayload& p, std::string trace_id, TimeMs at) {
  JsonObjectWriter batches;
  for (const auto& [type, status] : p.batches) batches.String(type, status);
  return MakeEvent(kEventAnalysisCompleted, p.tenant_id, std::move(trace_id), at,
                   JsonObjectWriter()
                       .Int("tenant_id", p.tenant_id)
                       .String("run_id", p.run_id)
                       .Raw("batches", batches.Finish())
                       .Int("opened", p.opened)
                       .Int("updated", p.updated)
                       .Int("resolved", p.resolved)
                       .Int("reopened", p.reopened)
                       .Finish());
}

Event ToEvent(const AlertChangedPayload& p, std::string trace_id, TimeMs at) {
  JsonObjectWriter json;
  json.Int("tenant_id", p.tenant_id)
      .Int("alert_id", p.alert_id)
      .String("run_id", p.run_id)
      .String("alert_type", p.alert_type)
      .String("subject", p.subject)
      .String("severity", p.severity);
  if (p.previous_severity) {
    json.String("previous_severity", *p.previous_severity);
  } else {
    json.Raw("previous_severity", "null");
  }
  return MakeEvent("alert." + p.transition, p.tenant_id, std::move(trace_id), at,
                   json.Bool("flapping", p.flapping)
                       .Bool("muted", p.snoozed_until.has_value())
                       .Time("snoozed_until", p.snoozed_until)
                       .String("reason", p.reason)
                       .Finish());
}

}  // namespace vigil
