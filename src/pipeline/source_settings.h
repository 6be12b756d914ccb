// Reading a stored data source's settings (the JSON text `vigil source add`
// wrote), shared by the live providers' settings readers
// (pipeline/microsoft365_source.h, pipeline/google_workspace_source.h).
// Thread-safe: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "store/tenants.h"

namespace vigil {

// "data source "NAME" (PROVIDER)": how messages name `source`.
std::string NamedSource(const DataSourceRow& source);

// settings[key] as a string; "" when absent (or null) and not required.
// InvalidArgument "<NamedSource>: settings: "key" is missing" when required
// and absent, and "...: "key": expected a non-empty string" when it is not a
// string (or an empty one where required).
Result<std::string> StringSetting(const DataSourceRow& source, const nlohmann::json& settings,
                                  const char* key, bool required);

}  // namespace vigil
