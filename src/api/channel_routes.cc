// Delivery channels (notify/channel_store.h):
//
//   GET    /api/v1/channels[?tenant=NAME]  {"items": [channel...]}, by name: the channels
//                                          that tenant owns; without ?tenant, every channel
//                                          for an admin token, the ones its tenant owns for
//                                          a tenant token
//   POST   /api/v1/channels                the api/channel_create.h body -> 201 the channel;
//                                          a generated webhook signing secret is added once,
//                                          as "signing_secret"
//   GET    /api/v1/channels/{channel}      the channel
//   DELETE /api/v1/channels/{channel}      removes it and its pending notifications (the
//                                          delivery log stays) -> 200 the channel as it was
//
// A channel is the JSON of notify/channel_json.h (as `vigil channels --json`):
// no secret, only the names of the secrets it holds ("secrets": ["url"]).
//
// Ownership: a tenant token creates channels owned by its tenant ("tenant"
// may name only its own) whose route takes only that tenant ("route"."tenants"
// may name only it); a tenant it may not see is the 404 of a missing one. An
// admin token creates MSP-wide channels, or owned ones with "tenant". A
// tenant token sees and removes only the channels its tenant owns: any other
// answers as a missing one (404).
//
// Before anything is stored the kind's own checks run (ApiHooks::
// check_channel; 503 unavailable without it), then the secrets are sealed
// under the server's secret key (409 conflict without one). A name that is
// taken answers 409 conflict.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/api_env.h"
#include "api/channel_create.h"
#include "api/json_body.h"
#include "api/routes.h"
#include "api/scope.h"
#include "notify/channel_json.h"
#include "notify/channel_store.h"
#include "notify/signing_secret.h"
#include "store/secret_box.h"

namespace vigil {
namespace {

// Zeroes a spec's secrets when it goes out of scope.
class ScrubOnExit {
 public:
  explicit ScrubOnExit(ChannelSpec* spec) : spec_(spec) {}
  ~ScrubOnExit() {
    for (std::string* s :
         {&spec_->url, &spec_->signing_secret, &spec_->routing_key, &spec_->smtp_password}) {
      ScrubString(s);
    }
  }
  ScrubOnExit(const ScrubOnExit&) = delete;
  ScrubOnExit& operator=(const ScrubOnExit&) = delete;

 private:
  ChannelSpec* spec_;
};

nlohmann::json ChannelItem(const ChannelRow& row) { return nlohmann::json(ChannelJsonValue(row)); }

ApiResponse ListChannelsRoute(const ApiRequest& request, RouteCall& call) {
  std::optional<int64_t> owner = call.principal->tenant_id;
  if (std::optional<std::string> name = request.Query("tenant")) {
    TenantRow tenant;
    if (auto missing = ResolveTenant(call, *name, &tenant)) return *missing;
    owner = tenant.id;
  }
  Result<std::vector<ChannelRow>> rows = ListChannels(call.db, owner);
  if (!rows.ok()) return ErrorFromStatus(rows.status());
  nlohmann::json items = nlohmann::json::array();
  for (const ChannelRow& row : *rows) items.push_back(ChannelItem(row));
  return JsonResponse(200, {{"items", std::move(items)}});
}

// The owner and the route's tenants of `body` resolved into `spec`: a tenant
// the caller may not see is a 404; a route tenant other than the owner a 400.
std::optional<ApiResponse> ResolveTenants(const RouteCall& call, const ChannelBody& body,
                                          ChannelSpec* spec) {
  if (body.owner) {
    TenantRow owner;
    if (auto missing = ResolveTenant(call, *body.owner, &owner)) return missing;
    spec->tenant_id = owner.id;
  } else if (!call.principal->admin()) {
    spec->tenant_id = call.principal->tenant_id;
  }
  for (const std::string& name : body.route_tenants) {
    TenantRow tenant;
    if (auto missing = ResolveTenant(call, name, &tenant)) return missing;
    if (spec->tenant_id && tenant.id != *spec->tenant_id) {
      return ErrorResponse(400, api_error::kBadRequest,
                           "route.tenants: \"" + name +
                               "\" is not the channel's owner; a channel owned by a tenant "
                               "routes only that tenant");
    }
    spec->route.tenant_ids.push_back(tenant.id);
  }
  return std::nullopt;
}

// The key secrets are sealed with: the server's, else the environment's.
std::optional<ApiResponse> SealingKey(const RouteCall& call, std::optional<SecretKey>* loaded,
                                      const SecretKey** key) {
  *key = call.env->secret_key;
  if (*key != nullptr) return std::nullopt;
  Result<SecretKey> from_env = LoadSecretKey();
  if (!from_env.ok()) {
    return ErrorFromStatus(Status::FailedPrecondition(from_env.status().message()));
  }
  loaded->emplace(std::move(*from_env));
  *key = &**loaded;
  return std::nullopt;
}

ApiResponse AddChannelRoute(const ApiRequest& request, RouteCall& call) {
  nlohmann::json body;
  if (auto bad = ParseJsonBody(request.body, call.env->limits.max_json_depth, &body)) return *bad;
  Result<ChannelBody> read = ReadChannelBody(body);
  if (!read.ok()) return ErrorFromStatus(read.status());
  ChannelSpec& spec = read->spec;
  ScrubOnExit scrub(&spec);
  if (auto error = ResolveTenants(call, *read, &spec)) return *error;
  if (!call.env->hooks.check_channel) {
    return ErrorResponse(503, api_error::kUnavailable, "adding channels is not configured");
  }
  std::optional<SecretKey> loaded;
  const SecretKey* key = nullptr;
  if (auto error = SealingKey(call, &loaded, &key)) return *error;
  const bool made_secret = spec.kind == kChannelWebhook && spec.signing_secret.empty();
  if (made_secret) {
    Result<std::string> secret = NewSigningSecret();
    if (!secret.ok()) return ErrorFromStatus(secret.status());
    spec.signing_secret = std::move(*secret);
  }
  if (Status checked = call.env->hooks.check_channel(spec); !checked.ok()) {
    return ErrorFromStatus(checked);
  }
  Result<int64_t> id = AddChannel(call.db, spec, *key, call.env->clock->NowMs());
  if (!id.ok()) return ErrorFromStatus(id.status());
  Result<ChannelRow> row = GetChannel(call.db, spec.name);
  if (!row.ok()) return ErrorFromStatus(row.status());
  nlohmann::json answer = ChannelItem(*row);
  if (made_secret) answer["signing_secret"] = spec.signing_secret;
  return JsonResponse(201, answer);
}

ApiResponse GetChannelRoute(const ApiRequest& request, RouteCall& call) {
  ChannelRow row;
  if (auto missing = ResolveChannel(call, request.Param("channel"), &row)) return *missing;
  return JsonResponse(200, ChannelItem(row));
}

ApiResponse RemoveChannelRoute(const ApiRequest& request, RouteCall& call) {
  ChannelRow row;
  if (auto missing = ResolveChannel(call, request.Param("channel"), &row)) return *missing;
  Status removed = RemoveChannel(call.db, row.name);
  if (removed.code() == Code::kNotFound) {  // removed by another request meanwhile
    return NotFoundResponse("channel \"" + row.name + "\"");
  }
  if (!removed.ok()) return ErrorFromStatus(removed);
  return JsonResponse(200, ChannelItem(row));
}

}  // namespace

void AddChannelRoutes(Router* router) {
  router->Add({"GET", "/api/v1/channels", RouteAuth::kToken, ListChannelsRoute});
  router->Add({"POST", "/api/v1/channels", RouteAuth::kToken, AddChannelRoute});
  router->Add({"GET", "/api/v1/channels/{channel}", RouteAuth::kToken, GetChannelRoute});
  router->Add({"DELETE", "/api/v1/channels/{channel}", RouteAuth::kToken, RemoveChannelRoute});
}

}  // namespace vigil
