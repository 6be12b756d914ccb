// OpenProvider: the provider of a stored data source, from its provider name
// and settings. The only place that maps provider names to implementations.
//   graph_json  {"dir": "/abs/path"}           a directory of Graph responses
//   google_json {"dir": "/abs/path"}           a directory of Google Workspace answers
//   synthetic   {"seed": 1, "users": 50, "tenant": "contoso"}   generated tenant
//   microsoft365 {"tenant_id": ..., "client_id": ..., "client_secret": "sbox1:...",
//                 "cloud": ..., "authority_url": ..., "graph_url": ...}
//                live Microsoft Graph (pipeline/microsoft365_source.h reads the settings)
#pragma once

#include <memory>

#include "common/clock.h"
#include "common/status.h"
#include "http/http_client.h"
#include "pipeline/provider_opener.h"
#include "providers/provider.h"
#include "store/tenants.h"

namespace vigil {

// A ProviderOpener (pipeline/provider_opener.h). InvalidArgument naming the data
// source and the setting when the provider is unknown or a setting is missing
// or of the wrong type; the provider's own error (e.g. the directory does not
// exist) otherwise. A null context.http is the shared Graph client below.
Result<std::unique_ptr<Provider>> OpenProvider(const DataSourceRow& source,
                                               const ProviderContext& context = {});

// A DirectoryOpener: the graph_json provider over `dir`.
Result<std::unique_ptr<Provider>> OpenGraphDirectory(const std::string& dir);
// A DirectoryOpener: the google_json provider over `dir`.
Result<std::unique_ptr<Provider>> OpenGoogleDirectory(const std::string& dir);

// The HTTP client every Graph request of this process goes through (one
// connection cache; Graph's limits apply per app across tenants). Null only
// when libcurl cannot make a client.
std::shared_ptr<HttpClient> SharedGraphHttpClient();

}  // namespace vigil
