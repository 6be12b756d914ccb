#include "store/span_store.h"

#include <nlohmann/json.hpp>

namespace vigil {

Status SaveSpans(Db* db, const std::vector<SpanRecord>& spans) {
  if (spans.empty()) return Status::Ok();
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("INSERT INTO trace_spans (trace_id, span_id, parent_span_id, tenant_id, name,"
                  " start_ms, duration_us, status, statements, attributes)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const SpanRecord& s : spans) {
    nlohmann::json attrs = nlohmann::json::object();
    for (const auto& [k, v] : s.attributes) attrs[k] = v;
    stmt->BindText(1, s.trace_id);
    stmt->BindText(2, s.span_id);
    if (s.parent_span_id.empty()) {
      stmt->BindNull(3);
    } else {
      stmt->BindText(3, s.parent_span_id);
    }
    if (s.tenant_id == 0) {
      stmt->BindNull(4);
    } else {
      stmt->BindInt(4, s.tenant_id);
    }
    stmt->BindText(5, s.name);
    stmt->BindInt(6, s.start_ms);
    stmt->BindInt(7, s.duration_us);
    stmt->BindText(8, s.status);
    stmt->BindInt(9, static_cast<int64_t>(s.statements));
    stmt->BindText(10, attrs.dump());
    VIGIL_RETURN_IF_ERROR(stmt->Execute());
  }
  return Status::Ok();
}

Result<std::vector<SpanRecord>> LoadTrace(Db* db, const std::string& trace_id) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT span_id, parent_span_id, tenant_id, name, start_ms, duration_us, status,"
                  " statements, attributes FROM trace_spans WHERE trace_id = ?"
                  " ORDER BY start_ms, id"));
  stmt->BindText(1, trace_id);
  std::vector<SpanRecord> spans;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    SpanRecord s;
    s.trace_id = trace_id;
    s.span_id = stmt->String(0);
    s.parent_span_id = stmt->IsNull(1) ? "" : stmt->String(1);
    s.tenant_id = stmt->IsNull(2) ? 0 : stmt->Int(2);
    s.name = stmt->String(3);
    s.start_ms = stmt->Int(4);
    s.duration_us = stmt->Int(5);
    s.status = stmt->String(6);
    s.statements = static_cast<uint64_t>(stmt->Int(7));
    auto attrs = nlohmann::json::parse(stmt->Text(8), nullptr, false);
    if (attrs.is_object()) {
      for (auto& [k, v] : attrs.items()) {
        if (v.is_string()) s.attributes[k] = v.get<std::string>();
      }
    }
    spans.push_back(std::move(s));
  }
  if (spans.empty()) return Status::NotFound("no trace with id " + trace_id);
  return spans;
}

}  // namespace vigil
