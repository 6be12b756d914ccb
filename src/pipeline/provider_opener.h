// How the pipeline gets a data source's provider without naming one: the
// binary's wiring (app/provider_factory.h) maps provider names to
// implementations and hands the pipeline that mapping as a function.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "http/http_client.h"
#include "providers/provider.h"
#include "store/db.h"
#include "store/tenants.h"

namespace vigil {

// What a provider may use besides its settings: microsoft365 reads the
// source's stored users through `db` for an incremental sync (during Fetch,
// so `db` must outlive the provider), stamps its cursor with `clock` and
// sends its requests through `http` (null: the process's shared Graph
// client).
struct ProviderContext {
  Db* db = nullptr;
  const Clock* clock = nullptr;
  std::shared_ptr<HttpClient> http = nullptr;
};

// Opens the provider of a stored data source. Errors name the data source
// (an unknown provider, a bad setting, the provider's own failure).
using ProviderOpener =
    std::function<Result<std::unique_ptr<Provider>>(const DataSourceRow&, const ProviderContext&)>;

// Opens the provider that reads a directory of Graph responses (the
// graph_json provider). NotFound naming the directory when it is not one.
using DirectoryOpener = std::function<Result<std::unique_ptr<Provider>>(const std::string& dir)>;

}  // namespace vigil
