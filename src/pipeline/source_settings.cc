#include "pipeline/source_settings.h"

namespace vigil {

std::string NamedSource(const DataSourceRow& source) {
  return "data source \"" + source.name + "\" (" + source.provider + ")";
}

Result<std::string> StringSetting(const DataSourceRow& source, const nlohmann::json& settings,
                                  const char* key, bool required) {
  auto it = settings.find(key);
  if (it == settings.end() || it->is_null()) {
    if (!required) return std::string();
    return Status::InvalidArgument(NamedSource(source) + ": settings: \"" + key + "\" is missing");
  }
  if (!it->is_string() || (required && it->get<std::string>().empty())) {
    return Status::InvalidArgument(NamedSource(source) + ": settings: \"" + key +
                                   "\": expected a non-empty string");
  }
  return it->get<std::string>();
}

}  // namespace vigil
