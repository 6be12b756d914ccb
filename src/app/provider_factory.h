// OpenProvider: the provider of a stored data source, from its provider name
// and settings. The only place that maps provider names to implementations.
//   graph_json  {"dir": "/abs/path"}           a directory of Graph responses
//   synthetic   {"seed": 1, "users": 50, "tenant": "contoso"}   generated tenant
//   microsoft365 {"tenant_id": ..., "client_id": ..., "client_secret": "sbox1:...",
//                 "cloud": ..., "authority_url": ..., "graph_url": ...}
//                live Microsoft Graph (app/microsoft365_source.h)
#pragma once

#include <memory>

#include "common/clock.h"
#include "common/status.h"
#include "http/http_client.h"
#include "providers/provider.h"
#include "store/tenants.h"

namespace vigil {

// What a provider may use besides its settings: microsoft365 reads the
// source's stored users through `db` for an incremental sync (during Fetch,
// so `db` must outlive the provider), stamps its cursor with `clock` and
// sends its requests through `http` (null: the process's shared Graph
// client, app/microsoft365_source.h).
struct ProviderContext {
  Db* db = nullptr;
  const Clock* clock = nullptr;
  std::shared_ptr<HttpClient> http = nullptr;
};

// InvalidArgument naming the data source and the setting when the provider is
// unknown or a setting is missing or of the wrong type; the provider's own
// error (e.g. the directory does not exist) otherwise.
Result<std::unique_ptr<Provider>> OpenProvider(const DataSourceRow& source,
                                               const ProviderContext& context = {});

}  // namespace vigil
