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

// The body's string fields as a SourceSpec of `tenant`.
Result<SourceSpec> SpecOf(const TenantRow& tenant, const nlohmann::json& body) {
  VIGIL_RETURN_IF_ERROR(CheckKnownFields(
      body, {"tenant", "provider", "name", "tenant_id", "client_id", "client_secret", "cloud",
             "authority_url", "graph_url", "dir", "every"}));
  SourceSpec spec;
  spec.tenant = tenant.name;
  const std::pair<const char*, std::string*> strings[] = {
      {"provider", &spec.provider},   {"name", &spec.name},
      {"tenant_id", &spec.tenant_id}, {"client_id", &spec.client_id},
      {"cloud", &spec.cloud},         {"authority_url", &spec.authority_url},
      {"graph_url", &spec.graph_url}, {"dir", &spec.dir},
      {"every", &spec.every}};
  for (const auto& [key, out] : strings) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> value, OptionalStringField(body, key));
    if (value) *out = std::move(*value);
  }
  if (spec.provider.empty()) {
    return Status::InvalidArgument("provider: required (microsoft365 or graph_json)");
  }
  return spec;
}

}  // namespace

Result<DataSourceRow> CreateSourceFromBody(Db* db, const Clock& clock, const TenantRow& tenant,
                                           const nlohmann::json& body) {
  VIGIL_ASSIGN_OR_RETURN(SourceSpec spec, SpecOf(tenant, body));
  VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> secret,
                         OptionalStringField(body, "client_secret"));
  spec.has_client_secret = secret.has_value();
  VIGIL_ASSIGN_OR_RETURN(CheckedSource checked, CheckSourceSpec(spec, FieldStyle::kJsonKeys));
  Result<std::string> settings =
      SourceSettings(spec, checked, FieldStyle::kJsonKeys, [&secret] { return SecretOf(*secret); });
  if (secret) ScrubString(&*secret);
  VIGIL_RETURN_IF_ERROR(settings.status());
  Result<StoredSource> stored = StoreDataSource(db, tenant.name, checked.name, spec.provider,
                                                *settings, checked.every_ms, clock.NowMs());
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
