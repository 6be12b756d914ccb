#include "observe/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <mutex>

#include "common/json_text.h"

namespace vigil {
namespace {

spdlog::logger* Logger() {
  static std::once_flag once;
  static std::shared_ptr<spdlog::logger> logger;
  std::call_once(once, [] {
    logger = std::make_shared<spdlog::logger>(
        "vigil", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})",
                        spdlog::pattern_time_type::utc);
    logger->set_level(spdlog::level::info);
    logger->flush_on(spdlog::level::trace);
  });
  return logger.get();
}

spdlog::level::level_enum ToSpd(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

LogField::LogField(std::string_view k, double v) : key(k), quoted(false) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  value = buf;
}

void SetLogLevel(LogLevel level) { Logger()->set_level(ToSpd(level)); }

bool ParseLogLevel(std::string_view name, LogLevel* level) {
  if (name == "debug") *level = LogLevel::kDebug;
  else if (name == "info") *level = LogLevel::kInfo;
  else if (name == "warn") *level = LogLevel::kWarn;
  else if (name == "error") *level = LogLevel::kError;
  else return false;
  return true;
}

namespace {

template <typename Fields>
std::string FormatFields(std::string_view event, const Fields& fields) {
  std::string out = "\"event\":";
  AppendJsonString(&out, event);
  for (const LogField& f : fields) {
    out += ',';
    AppendJsonString(&out, f.key);
    out += ':';
    if (f.quoted) {
      AppendJsonString(&out, f.value);
    } else {
      out += f.value;
    }
  }
  return out;
}

template <typename Fields>
void LogFields(LogLevel level, std::string_view event, const Fields& fields) {
  spdlog::logger* logger = Logger();
  const auto spd = ToSpd(level);
  if (!logger->should_log(spd)) return;
  logger->log(spd, "{}", FormatFields(event, fields));
}

}  // namespace

std::string FormatLogFields(std::string_view event, std::initializer_list<LogField> fields) {
  return FormatFields(event, fields);
}

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  LogFields(level, event, fields);
}

void Log(LogLevel level, std::string_view event, const std::vector<LogField>& fields) {
  LogFields(level, event, fields);
}

}  // namespace vigil
