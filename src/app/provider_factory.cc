#include "app/provider_factory.h"

#include <mutex>
#include <nlohmann/json.hpp>

#include "pipeline/google_workspace_source.h"
#include "pipeline/microsoft365_source.h"
#include "providers/google_dir_provider.h"
#include "providers/graph_dir_provider.h"
#include "providers/synthetic.h"
#include "sync/stored_users.h"

namespace vigil {
namespace {

std::string Named(const DataSourceRow& source) {
  return "data source \"" + source.name + "\" (" + source.provider + ")";
}

}  // namespace

Result<std::unique_ptr<Provider>> OpenProvider(const DataSourceRow& source,
                                               const ProviderContext& context) {
  nlohmann::json settings = nlohmann::json::parse(source.settings, nullptr, false);
  if (!settings.is_object()) {
    return Status::InvalidArgument(Named(source) + ": settings are not a JSON object");
  }
  if (source.provider == "graph_json" || source.provider == "google_json") {
    auto dir = settings.find("dir");
    if (dir == settings.end() || !dir->is_string()) {
      return Status::InvalidArgument(Named(source) + ": settings: \"dir\": expected a string");
    }
    Result<std::unique_ptr<Provider>> provider =
        source.provider == "graph_json" ? NewGraphDirProvider(dir->get<std::string>())
                                        : NewGoogleDirProvider(dir->get<std::string>());
    if (!provider.ok()) return provider.status().Prefixed(Named(source));
    return provider;
  }
  if (source.provider == "synthetic") {
    SyntheticOptions options;
    auto seed = settings.find("seed");
    auto users = settings.find("users");
    auto tenant = settings.find("tenant");
    if (seed != settings.end()) {
      if (!seed->is_number_unsigned()) {
        return Status::InvalidArgument(Named(source) + ": settings: \"seed\": expected a number");
      }
      options.seed = seed->get<uint64_t>();
    }
    if (users != settings.end()) {
      if (!users->is_number_integer() || users->get<int64_t>() < 1 ||
          users->get<int64_t>() > 5'000'000) {
        return Status::InvalidArgument(Named(source) +
                                       ": settings: \"users\": expected 1 to 5000000");
      }
      options.users = users->get<int>();
    }
    if (tenant != settings.end()) {
      if (!tenant->is_string()) {
        return Status::InvalidArgument(Named(source) +
                                       ": settings: \"tenant\": expected a string");
      }
      options.tenant_name = tenant->get<std::string>();
    }
    return NewSyntheticProvider(options);
  }
  if (source.provider == "microsoft365") {
    VIGIL_ASSIGN_OR_RETURN(Microsoft365Options options, Microsoft365OptionsOf(source, settings));
    options.clock = context.clock;
    if (Db* db = context.db) {
      const int64_t id = source.id;
      options.stored_users = [db, id] { return LoadStoredUsers(db, id); };
    }
    Result<std::unique_ptr<Provider>> provider = NewMicrosoft365Provider(
        std::move(options), context.http ? context.http : SharedGraphHttpClient());
    if (!provider.ok()) return provider.status().Prefixed(Named(source));
    return provider;
  }
  if (source.provider == "google_workspace") {
    VIGIL_ASSIGN_OR_RETURN(GoogleWorkspaceOptions options,
                           GoogleWorkspaceOptionsOf(source, settings));
    options.google.clock = context.clock;
    Result<std::unique_ptr<Provider>> provider = NewGoogleWorkspaceProvider(
        std::move(options), context.http ? context.http : SharedGraphHttpClient());
    if (!provider.ok()) return provider.status().Prefixed(Named(source));
    return provider;
  }
  return Status::InvalidArgument(Named(source) + ": unknown provider \"" + source.provider +
                                 "\" (known: graph_json, google_json, synthetic, microsoft365, "
                                 "google_workspace)");
}

Result<std::unique_ptr<Provider>> OpenGraphDirectory(const std::string& dir) {
  return NewGraphDirProvider(dir);
}

Result<std::unique_ptr<Provider>> OpenGoogleDirectory(const std::string& dir) {
  return NewGoogleDirProvider(dir);
}

std::shared_ptr<HttpClient> SharedGraphHttpClient() {
  static std::mutex mu;
  static std::shared_ptr<HttpClient> client;
  std::lock_guard<std::mutex> lock(mu);
  if (!client) {
    Result<std::unique_ptr<HttpClient>> made = NewCurlHttpClient();
    if (made.ok()) client = std::move(made).value();
  }
  return client;
}

}  // namespace vigil
