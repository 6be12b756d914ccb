#include "queue/pipeline_jobs.h"

#include <nlohmann/json.hpp>

namespace vigil {
namespace {

using nlohmann::json;

Result<json> ParseObject(std::string_view what, std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument(std::string(what) + " payload: not a JSON object");
  }
  return doc;
}

Status FieldError(std::string_view what, std::string_view field, std::string_view expected) {
  return Status::InvalidArgument(std::string(what) + " payload: \"" + std::string(field) +
                                 "\": expected " + std::string(expected));
}

Result<int64_t> PositiveId(const json& doc, std::string_view what, const char* field) {
  auto it = doc.find(field);
  if (it == doc.end() || !it->is_number_integer() || it->get<int64_t>() <= 0) {
    return FieldError(what, field, "a positive integer");
  }
  return it->get<int64_t>();
}

Result<std::string> Text(const json& doc, std::string_view what, const char* field,
                         bool required) {
  auto it = doc.find(field);
  if (it == doc.end() || it->is_null()) {
    if (required) return FieldError(what, field, "a string");
    return std::string();
  }
  if (!it->is_string()) return FieldError(what, field, "a string");
  return it->get<std::string>();
}

}  // namespace

std::string ToJson(const SyncJobPayload& p) {
  return json{{"tenant_id", p.tenant_id},     {"data_source_id", p.data_source_id},
              {"trace_id", p.trace_id},       {"parent_span_id", p.parent_span_id},
              {"trigger", p.trigger},         {"force", p.force}}
      .dump();
}

std::string ToJson(const AnalyzeJobPayload& p) {
  return json{{"tenant_id", p.tenant_id},
              {"trace_id", p.trace_id},
              {"parent_span_id", p.parent_span_id}}
      .dump();
}

Result<SyncJobPayload> ParseSyncJobPayload(std::string_view text) {
  constexpr std::string_view kWhat = "sync";
  VIGIL_ASSIGN_OR_RETURN(json doc, ParseObject(kWhat, text));
  SyncJobPayload p;
  VIGIL_ASSIGN_OR_RETURN(p.tenant_id, PositiveId(doc, kWhat, "tenant_id"));
  VIGIL_ASSIGN_OR_RETURN(p.data_source_id, PositiveId(doc, kWhat, "data_source_id"));
  VIGIL_ASSIGN_OR_RETURN(p.trace_id, Text(doc, kWhat, "trace_id", true));
  VIGIL_ASSIGN_OR_RETURN(p.parent_span_id, Text(doc, kWhat, "parent_span_id", false));
  VIGIL_ASSIGN_OR_RETURN(p.trigger, Text(doc, kWhat, "trigger", false));
  if (auto it = doc.find("force"); it != doc.end()) {
    if (!it->is_boolean()) return FieldError(kWhat, "force", "true or false");
    p.force = it->get<bool>();
  }
  return p;
}

Result<AnalyzeJobPayload> ParseAnalyzeJobPayload(std::string_view text) {
  constexpr std::string_view kWhat = "analyze";
  VIGIL_ASSIGN_OR_RETURN(json doc, ParseObject(kWhat, text));
  AnalyzeJobPayload p;
  VIGIL_ASSIGN_OR_RETURN(p.tenant_id, PositiveId(doc, kWhat, "tenant_id"));
  VIGIL_ASSIGN_OR_RETURN(p.trace_id, Text(doc, kWhat, "trace_id", true));
  VIGIL_ASSIGN_OR_RETURN(p.parent_span_id, Text(doc, kWhat, "parent_span_id", false));
  return p;
}

std::string TraceIdOfPayload(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return "";
  auto it = doc.find("trace_id");
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

JobOptions SyncJobOptions(int64_t tenant_id, std::string job_id) {
  JobOptions options;
  options.job_id = std::move(job_id);
  options.attempts = 3;
  options.backoff = {Backoff::Type::kExponential, 5000};
  options.group = std::to_string(tenant_id);
  return options;
}

AnalyzeJobPlan PlanAnalyzeJob(int64_t tenant_id, TimeMs now, int64_t window_ms) {
  const std::string prefix = "analyze:" + std::to_string(tenant_id) + ":";
  if (window_ms <= 0) return {prefix + "at" + std::to_string(now), 0};
  const int64_t index = now / window_ms;
  return {prefix + std::to_string(index), (index + 1) * window_ms - now};
}

namespace {

JobToAdd AnalyzeJobWithId(const AnalyzeJobPayload& payload, std::string job_id,
                          int64_t delay_ms) {
  JobToAdd job;
  job.name = std::string(kAnalyzeJob);
  job.payload = ToJson(payload);
  job.options.job_id = std::move(job_id);
  job.options.delay_ms = delay_ms;
  job.options.attempts = 3;
  job.options.backoff = {Backoff::Type::kFixed, 2000};
  job.options.group = std::to_string(payload.tenant_id);
  return job;
}

}  // namespace

JobToAdd AnalyzeJob(const AnalyzeJobPayload& payload, TimeMs now, int64_t window_ms) {
  AnalyzeJobPlan plan = PlanAnalyzeJob(payload.tenant_id, now, window_ms);
  return AnalyzeJobWithId(payload, std::move(plan.job_id), plan.delay_ms);
}

JobToAdd ImmediateAnalyzeJob(const AnalyzeJobPayload& payload, int64_t sync_id) {
  return AnalyzeJobWithId(
      payload, "analyze:" + std::to_string(payload.tenant_id) + ":sync" + std::to_string(sync_id),
      0);
}

Result<AddResult> EnqueueAnalyze(Queue* queue, const AnalyzeJobPayload& payload, TimeMs now,
                                 int64_t window_ms) {
  const JobToAdd job = AnalyzeJob(payload, now, window_ms);
  return queue->Add(job.name, job.payload, job.options);
}

}  // namespace vigil
