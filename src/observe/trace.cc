#include "observe/trace.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "common/ids.h"

namespace vigil {
namespace {

int64_t MonotonicUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Trace::Trace(std::string trace_id, const Clock* clock, std::function<uint64_t()> statements,
             std::string root_parent_span_id)
    : trace_id_(std::move(trace_id)),
      root_parent_span_id_(std::move(root_parent_span_id)),
      clock_(clock),
      statements_(std::move(statements)) {}

Trace::Scope::Scope(Trace* trace, size_t index) : trace_(trace), index_(index) {}
Trace::Scope::Scope(Scope&& other) noexcept : trace_(other.trace_), index_(other.index_) {
  other.trace_ = nullptr;
}
Trace::Scope::~Scope() { End(); }

void Trace::Scope::SetError(const std::string& message) {
  if (!trace_) return;
  trace_->spans_[index_].status = "error";
  trace_->spans_[index_].attributes["error"] = message;
}

void Trace::Scope::SetAttribute(const std::string& key, const std::string& value) {
  if (trace_) trace_->spans_[index_].attributes[key] = value;
}

void Trace::Scope::End() {
  if (!trace_) return;
  trace_->EndSpan(index_);
  trace_ = nullptr;
}

std::string Trace::ParentId() const {
  return stack_.empty() ? root_parent_span_id_ : spans_[stack_.back()].span_id;
}

Trace::Scope Trace::StartSpan(std::string name, int64_t tenant_id) {
  SpanRecord span;
  span.trace_id = trace_id_;
  span.span_id = NewTraceId().substr(0, 16);
  span.parent_span_id = ParentId();
  span.tenant_id = tenant_id;
  span.name = std::move(name);
  span.start_ms = clock_->NowMs();
  spans_.push_back(std::move(span));
  open_.push_back(true);
  start_us_.push_back(MonotonicUs());
  start_statements_.push_back(Statements());
  stack_.push_back(spans_.size() - 1);
  return Scope(this, spans_.size() - 1);
}

void Trace::EndSpan(size_t index) {
  if (!open_[index]) return;
  open_[index] = false;
  spans_[index].duration_us = MonotonicUs() - start_us_[index];
  spans_[index].statements = Statements() - start_statements_[index];
  stack_.erase(std::remove(stack_.begin(), stack_.end(), index), stack_.end());
}

void Trace::AddFinishedSpan(std::string name, int64_t tenant_id, TimeMs start_ms,
                            int64_t duration_us, uint64_t statements, std::string status) {
  SpanRecord span;
  span.trace_id = trace_id_;
  span.span_id = NewTraceId().substr(0, 16);
  span.parent_span_id = ParentId();
  span.tenant_id = tenant_id;
  span.name = std::move(name);
  span.start_ms = start_ms;
  span.duration_us = duration_us;
  span.statements = statements;
  span.status = std::move(status);
  spans_.push_back(std::move(span));
  open_.push_back(false);
  start_us_.push_back(0);
  start_statements_.push_back(0);
}

std::vector<SpanRecord> Trace::TakeFinished() {
  std::vector<SpanRecord> done;
  bool any_open = std::find(open_.begin(), open_.end(), true) != open_.end();
  if (any_open) {
    for (size_t i = 0; i < spans_.size(); ++i) {
      if (!open_[i]) done.push_back(spans_[i]);
    }
    return done;  // keep everything while a span is open (indexes must stay valid)
  }
  done.swap(spans_);
  open_.clear();
  start_us_.clear();
  start_statements_.clear();
  return done;
}

std::string FormatWaterfall(const std::vector<SpanRecord>& spans) {
  std::vector<const SpanRecord*> sorted;
  for (const auto& s : spans) sorted.push_back(&s);
  std::stable_sort(sorted.begin(), sorted.end(), [](const SpanRecord* a, const SpanRecord* b) {
    return a->start_ms < b->start_ms;
  });
  std::set<std::string> ids;
  for (const auto& s : spans) ids.insert(s.span_id);
  std::string out;
  std::function<void(const std::string&, int)> emit = [&](const std::string& parent, int depth) {
    for (const SpanRecord* s : sorted) {
      const bool orphan = !s->parent_span_id.empty() && ids.count(s->parent_span_id) == 0;
      if (depth == 0 ? !(s->parent_span_id.empty() || orphan) : s->parent_span_id != parent) {
        continue;
      }
      char buf[96];
      std::snprintf(buf, sizeof buf, "%9.1f ms %7llu stmts  ", s->duration_us / 1000.0,
                    static_cast<unsigned long long>(s->statements));
      out += buf;
      out += std::string(depth * 2, ' ') + s->name;
      if (s->status != "ok") out += "  [" + s->status + "]";
      for (const auto& [k, v] : s->attributes) out += "  " + k + "=" + v;
      out += "\n";
      emit(s->span_id, depth + 1);
    }
  };
  emit("", 0);
  return out;
}

}  // namespace vigil
