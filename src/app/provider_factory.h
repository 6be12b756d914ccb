// OpenProvider: the provider of a stored data source, from its provider name
// and settings. The only place that maps provider names to implementations.
//   graph_json  {"dir": "/abs/path"}           a directory of Graph responses
//   synthetic   {"seed": 1, "users": 50, "tenant": "contoso"}   generated tenant
#pragma once

#include <memory>

#include "common/status.h"
#include "providers/provider.h"
#include "store/tenants.h"

namespace vigil {

// InvalidArgument naming the data source and the setting when the provider is
// unknown or a setting is missing or of the wrong type; the provider's own
// error (e.g. the directory does not exist) otherwise.
Result<std::unique_ptr<Provider>> OpenProvider(const DataSourceRow& source);

}  // namespace vigil
