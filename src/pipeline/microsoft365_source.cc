#include "pipeline/microsoft365_source.h"

#include <string>

#include "providers/graph_cloud.h"
#include "pipeline/source_settings.h"
#include "store/secret_box.h"

namespace vigil {

Result<Microsoft365Options> Microsoft365OptionsOf(const DataSourceRow& source,
                                                  const nlohmann::json& settings) {
  Microsoft365Options options;
  VIGIL_ASSIGN_OR_RETURN(options.credentials.tenant_id,
                         StringSetting(source, settings, "tenant_id", true));
  VIGIL_ASSIGN_OR_RETURN(options.credentials.client_id,
                         StringSetting(source, settings, "client_id", true));
  VIGIL_ASSIGN_OR_RETURN(std::string sealed,
                         StringSetting(source, settings, "client_secret", true));
  VIGIL_ASSIGN_OR_RETURN(std::string authority,
                         StringSetting(source, settings, "authority_url", false));
  VIGIL_ASSIGN_OR_RETURN(std::string graph, StringSetting(source, settings, "graph_url", false));
  VIGIL_ASSIGN_OR_RETURN(std::string cloud_name, StringSetting(source, settings, "cloud", false));
  if (!cloud_name.empty()) {
    const GraphCloud* cloud = FindGraphCloud(cloud_name);
    if (cloud == nullptr) {
      return Status::InvalidArgument(NamedSource(source) + ": settings: \"cloud\": unknown cloud \"" +
                                     cloud_name + "\" (known: " + GraphCloudNames() + ")");
    }
    options.graph.authority_url = cloud->authority_url;
    options.graph.graph_url = cloud->graph_url;
  }
  // Stored URLs win: `source add --cloud` stores the cloud's own.
  if (!authority.empty()) options.graph.authority_url = authority;
  if (!graph.empty()) options.graph.graph_url = graph;

  Result<SecretKey> key = LoadSecretKey();
  if (!key.ok()) return key.status().Prefixed(NamedSource(source) + ": cannot unseal the client secret");
  Result<std::string> secret = Open(*key, sealed);
  if (!secret.ok()) {
    return secret.status().Prefixed(NamedSource(source) + ": settings: \"client_secret\"");
  }
  options.credentials.client_secret = std::move(secret).value();
  options.cursor = source.sync_cursor;
  return options;
}

}  // namespace vigil
