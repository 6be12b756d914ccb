// Traces and spans. A trace id follows one trigger through sync, analysis and
// reconcile; each stage is a span with its start, duration, status and the
// number of database statements it executed.
//
// A Trace collects the spans of one trace id inside one process; a store
// writes them out (store/span_store.h). Not thread-safe: one Trace per job.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/clock.h"

namespace vigil {

struct SpanRecord {
  std::string trace_id;
  std::string span_id;
  std::string parent_span_id;  // "" for a root span
  int64_t tenant_id = 0;       // 0 when the span is not about one tenant
  std::string name;            // "sync", "provider.fetch", "analyze.mfa", ...
  TimeMs start_ms = 0;
  int64_t duration_us = 0;
  std::string status = "ok";  // "ok" or "error"
  uint64_t statements = 0;    // database statements executed inside the span
  std::map<std::string, std::string> attributes;
};

class Trace {
 public:
  // `statements` reads the database's statement counter (may be null: 0 counted).
  // Spans started while no span is open are children of `root_parent_span_id`
  // ("" = they are roots): a job continues the trace its trigger began,
  // possibly in another process.
  Trace(std::string trace_id, const Clock* clock, std::function<uint64_t()> statements,
        std::string root_parent_span_id = "");

  const std::string& trace_id() const { return trace_id_; }

  // An open span; ends (duration and statements measured) when End is called
  // or the Scope is destroyed. Spans nest: a span started while another is
  // open becomes its child.
  class Scope {
   public:
    Scope(Scope&& other) noexcept;
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope();
    void SetError(const std::string& message);
    void SetAttribute(const std::string& key, const std::string& value);
    void End();

   private:
    friend class Trace;
    Scope(Trace* trace, size_t index);
    Trace* trace_;
    size_t index_;
  };

  Scope StartSpan(std::string name, int64_t tenant_id = 0);

  // Records a span measured elsewhere (e.g. one analyzer inside a run), as a
  // child of the innermost open span.
  void AddFinishedSpan(std::string name, int64_t tenant_id, TimeMs start_ms, int64_t duration_us,
                       uint64_t statements, std::string status = "ok");

  // The id of the innermost open span (or the root parent): what a job
  // enqueued now carries as its parent span.
  std::string CurrentSpanId() const { return ParentId(); }

  // Removes and returns the finished spans (open ones stay).
  std::vector<SpanRecord> TakeFinished();

 private:
  void EndSpan(size_t index);
  std::string ParentId() const;
  uint64_t Statements() const { return statements_ ? statements_() : 0; }

  std::string trace_id_;
  std::string root_parent_span_id_;
  const Clock* clock_;
  std::function<uint64_t()> statements_;
  std::vector<SpanRecord> spans_;
  std::vector<bool> open_;
  std::vector<size_t> stack_;  // indexes of open spans, innermost last
  std::vector<int64_t> start_us_;
  std::vector<uint64_t> start_statements_;
};

// The spans of one trace as an indented tree, one line per span:
//   "sync  tenant=contoso  12.3 ms  41 stmts" with children indented two spaces,
// in start order. Durations in milliseconds with one decimal. A span whose
// parent is not among `spans` is shown as a root.
std::string FormatWaterfall(const std::vector<SpanRecord>& spans);

}  // namespace vigil
