#include "api/source_create.h"

#include <optional>
#include <string>
#include <utility>

#include "api/body_fields.h"
#include "pipeline/source_add.h"
#include "store/secret_box.h"

namespace vigil {
namespace {

// As `vigil source add` accepts in a file: one line, at most 64 KiB.
constexpr size_t kMaxSecretBytes = 64 * 1024;

Result<std::string> SecretOf(const std::string& secret) {
  if (secret.empty()) {
    return Status::InvalidArgument("client_secret is empty; it must hold the client secret");
  }
  if (secret.size() > kMaxSecretBytes) {
    return Status::InvalidArgument("client_secret is larger than 64 KiB");
  }
  if (secret.find_first_of("\r\n") != std::string::npos) {
    return Status::InvalidArgument(
        "client_secret holds more than one line; it must hold only the client secret");
  }
  return secret;
}

// google_workspace: the key file's JSON text as a string, or the key file's
// object itself; nullopt when absent or null. Never quotes the value.
Result<std::optional<std::string>> ServiceAccountKeyOf(const nlohmann::json& body) {
  auto it = body.find("service_account_key");
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (it->is_object()) return std::optional<std::string>(it->dump());
  if (!it->is_string()) {
    return Status::InvalidArgument(
        std::string("service_account_key: expected the key file's JSON as an object or a "
                    "string, got ") +
        it->type_name());
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> KeyTextOf(const std::string& text) {
  if (text.empty()) {
    return Status::InvalidArgument(
        "service_account_key is empty; it must hold the service account's JSON key file");
  }
  if (text.size() > kMaxSecretBytes) {
    return Status::InvalidArgument("service_account_key is larger than 64 KiB");
  }
  return text;
}

// The body's string fields as a SourceSpec of `tenant`.
Result<SourceSpec> SpecOf(const TenantRow& tenant, const nlohmann::json& body) {
  VIGIL_RETURN_IF_ERROR(CheckKnownFields(
      body, {"tenant", "provider", "name", "tenant_id", "client_id", "client_secret", "cloud",
             "authority_url", "graph_url", "dir", "customer_id", "admin_email",
             "service_account_key", "token_url", "api_url", "licensing_url", "every"}));
  SourceSpec spec;
  spec.tenant = tenant.name;
  const std::pair<const char*, std::string*> strings[] = {
      {"provider", &spec.provider},       {"name", &spec.name},
      {"tenant_id", &spec.tenant_id},     {"client_id", &spec.client_id},
      {"cloud", &spec.cloud},             {"authority_url", &spec.authority_url},
      {"graph_url", &spec.graph_url},     {"dir", &spec.dir},
      {"customer_id", &spec.customer_id}, {"admin_email", &spec.admin_email},
      {"token_url", &spec.token_url},     {"api_url", &spec.api_url},
      {"licensing_url", &spec.licensing_url}, {"every", &spec.every}};
  for (const auto& [key, out] : strings) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> value, OptionalStringField(body, key));
    if (value) *out = std::move(*value);
  }
  if (spec.provider.empty()) {
    return Status::InvalidArgument(
        "provider: required (microsoft365, graph_json or google_workspace)");
  }
  return spec;
}

}  // namespace

Result<DataSourceRow> CreateSourceFromBody(Db* db, const Clock& clock, const TenantRow& tenant,
                                           const nlohmann::json& body) {
  VIGIL_ASSIGN_OR_RETURN(SourceSpec spec, SpecOf(tenant, body));
  VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> secret,
                         OptionalStringField(body, "client_secret"));
  Result<std::optional<std::string>> key = ServiceAccountKeyOf(body);
  if (!key.ok()) {
    if (secret) ScrubString(&*secret);
    return key.status();
  }
  spec.has_client_secret = secret.has_value();
  spec.has_service_account_key = key->has_value();
  auto scrub = [&secret, &key] {
    if (secret) ScrubString(&*secret);
    if (*key) ScrubString(&**key);
  };
  Result<CheckedSource> checked = CheckSourceSpec(spec, FieldStyle::kJsonKeys);
  if (!checked.ok()) {
    scrub();
    return checked.status();
  }
  Result<std::string> settings =
      SourceSettings(spec, *checked, FieldStyle::kJsonKeys, [&spec, &secret, &key] {
        return spec.provider == kGoogleWorkspaceProvider ? KeyTextOf(**key) : SecretOf(*secret);
      });
  scrub();
  VIGIL_RETURN_IF_ERROR(settings.status());
  Result<StoredSource> stored = StoreDataSource(db, tenant.name, checked->name, spec.provider,
                                                *settings, checked->every_ms, clock.NowMs());
  if (!stored.ok()) {
    // The only refusal left is a data source of that name with another provider.
    if (stored.status().code() == Code::kInvalidArgument) {
      return Status::FailedPrecondition(stored.status().message());
    }
    return stored.status();
  }
  return stored->source;
}

}  // namespace vigil
