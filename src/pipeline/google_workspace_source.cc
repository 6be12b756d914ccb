#include "pipeline/google_workspace_source.h"

#include <string>

#include "pipeline/source_settings.h"
#include "store/secret_box.h"

namespace vigil {

Result<GoogleWorkspaceOptions> GoogleWorkspaceOptionsOf(const DataSourceRow& source,
                                                        const nlohmann::json& settings) {
  GoogleWorkspaceOptions options;
  VIGIL_ASSIGN_OR_RETURN(options.customer_id, StringSetting(source, settings, "customer_id", false));
  VIGIL_ASSIGN_OR_RETURN(options.credentials.admin_email,
                         StringSetting(source, settings, "admin_email", true));
  VIGIL_ASSIGN_OR_RETURN(std::string sealed,
                         StringSetting(source, settings, "service_account_key", true));
  VIGIL_ASSIGN_OR_RETURN(options.google.token_url,
                         StringSetting(source, settings, "token_url", false));
  VIGIL_ASSIGN_OR_RETURN(std::string api, StringSetting(source, settings, "api_url", false));
  VIGIL_ASSIGN_OR_RETURN(std::string licensing,
                         StringSetting(source, settings, "licensing_url", false));
  if (!api.empty()) options.google.api_url = api;
  if (!licensing.empty()) options.google.licensing_url = licensing;
  auto products = settings.find("products");
  if (products != settings.end() && !products->is_null()) {
    if (!products->is_array() || products->empty()) {
      return Status::InvalidArgument(NamedSource(source) +
                                     ": settings: \"products\": expected an array of product ids");
    }
    options.products.clear();
    for (const nlohmann::json& product : *products) {
      if (!product.is_string()) {
        return Status::InvalidArgument(NamedSource(source) +
                                       ": settings: \"products\": expected an array of product ids");
      }
      options.products.push_back(product.get<std::string>());
    }
  }

  Result<SecretKey> key = LoadSecretKey();
  if (!key.ok()) {
    return key.status().Prefixed(NamedSource(source) + ": cannot unseal the service account key");
  }
  Result<std::string> plain = Open(*key, sealed);
  if (!plain.ok()) {
    return plain.status().Prefixed(NamedSource(source) + ": settings: \"service_account_key\"");
  }
  Result<ServiceAccountKey> account =
      ParseServiceAccountKey(NamedSource(source) + ": settings: \"service_account_key\"", *plain);
  ScrubString(&plain.value());
  if (!account.ok()) return account.status();
  options.credentials.key = std::move(account).value();
  return options;
}

}  // namespace vigil
