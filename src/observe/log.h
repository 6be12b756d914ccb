// Structured logs: one JSON object per line on stderr, written through
// spdlog (thread-safe, so any thread may log):
//   {"ts":"2026-11-28T10:00:00.123Z","level":"info","event":"job.completed",
//    "job":"sync:3:1764324000000","trace_id":"4bf9...","ms":12.5}
// Every line has ts (UTC), level and event; the fields follow in the order
// given. Long-running commands (serve, worker) log; one-shot commands print
// their results instead.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// One key/value of a log line. Text is quoted and escaped; numbers are not.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, const char* v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, int64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, int v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, double v);
  std::string key;
  std::string value;
  bool quoted;
};

// Lines below `level` are dropped. Default: info.
void SetLogLevel(LogLevel level);
// Parses "debug", "info", "warn", "error".
bool ParseLogLevel(std::string_view name, LogLevel* level);

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});
// The same, with fields gathered at run time.
void Log(LogLevel level, std::string_view event, const std::vector<LogField>& fields);

// The JSON object text after ts and level ("\"event\":...,\"k\":v"): what Log
// writes, exposed for tests.
std::string FormatLogFields(std::string_view event, std::initializer_list<LogField> fields);

}  // namespace vigil
