#include "api/channel_create.h"

#include <cmath>
#include <utility>

#include "api/body_fields.h"
#include "common/duration.h"
#include "notify/channel_store.h"
#include "store/secret_box.h"

namespace vigil {
namespace {

// As a data source's client secret: one line, at most 64 KiB.
constexpr size_t kMaxSecretBytes = 64 * 1024;

// The secret `key` of `body` into *out when given.
Status ReadSecret(const nlohmann::json& body, std::string_view key, std::string* out) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> value, OptionalStringField(body, key));
  if (!value) return Status::Ok();
  const std::string field(key);
  Status bad;
  if (value->empty()) {
    bad = Status::InvalidArgument(field + ": empty; leave it out or give the secret");
  } else if (value->size() > kMaxSecretBytes) {
    bad = Status::InvalidArgument(field + ": larger than 64 KiB");
  } else if (value->find_first_of("\r\n") != std::string::npos) {
    bad = Status::InvalidArgument(field + ": holds more than one line");
  }
  if (bad.ok()) *out = std::move(*value);
  ScrubString(&*value);
  return bad;
}

// Milliseconds of the duration text `key` of `object` into *out when
// given; with allow_zero, a zero duration is 0.
Status ReadDuration(const nlohmann::json& object, std::string_view key, bool allow_zero,
                    int64_t* out) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> text, OptionalStringField(object, key));
  if (!text) return Status::Ok();
  Result<int64_t> ms = allow_zero ? ParseDurationOrZero(*text) : ParseDuration(*text);
  if (!ms.ok()) return ms.status().Prefixed(key);
  *out = *ms;
  return Status::Ok();
}

// CheckKnownFields for an object inside the body, named `name` in errors.
Status CheckKnownInside(const nlohmann::json& object, std::string_view name,
                        std::initializer_list<std::string_view> known) {
  Status s = CheckKnownFields(object, known);
  if (s.ok()) return s;
  constexpr std::string_view kWhole = "request body";
  std::string message = s.message();
  if (message.rfind(kWhole, 0) == 0) message = std::string(name) + message.substr(kWhole.size());
  return Status::InvalidArgument(message);
}

// The route object's fields into out->spec.route and out->route_tenants;
// errors name the field without the "route." prefix.
Status ReadRouteFields(const nlohmann::json& r, ChannelBody* out) {
  Route& route = out->spec.route;
  VIGIL_ASSIGN_OR_RETURN(auto tenants, OptionalStringArrayField(r, "tenants"));
  if (tenants) out->route_tenants = std::move(*tenants);
  VIGIL_ASSIGN_OR_RETURN(auto types, OptionalStringArrayField(r, "types"));
  if (types) route.types = std::move(*types);
  VIGIL_ASSIGN_OR_RETURN(auto severity, OptionalStringField(r, "min_severity"));
  if (severity) route.min_severity = std::move(*severity);
  VIGIL_ASSIGN_OR_RETURN(auto changes, OptionalStringArrayField(r, "changes"));
  if (changes) route.changes = std::move(*changes);
  VIGIL_RETURN_IF_ERROR(ReadDuration(r, "group_wait", true, &route.group_wait_ms));
  VIGIL_RETURN_IF_ERROR(ReadDuration(r, "repeat_interval", true, &route.repeat_interval_ms));
  VIGIL_ASSIGN_OR_RETURN(auto digest, OptionalStringField(r, "digest"));
  VIGIL_ASSIGN_OR_RETURN(auto timezone, OptionalStringField(r, "timezone"));
  if (digest) {
    VIGIL_ASSIGN_OR_RETURN(route.digest, ParseDigestSchedule(*digest, timezone.value_or("UTC")));
  } else if (timezone) {
    return Status::InvalidArgument("timezone: given without digest (it is the digest's zone)");
  }
  return ValidateRoute(route);
}

Status ReadRoute(const nlohmann::json& body, ChannelBody* out) {
  auto it = body.find("route");
  if (it == body.end() || it->is_null()) return ValidateRoute(out->spec.route);
  if (!it->is_object()) {
    return Status::InvalidArgument(std::string("route: expected an object, got ") +
                                   it->type_name());
  }
  VIGIL_RETURN_IF_ERROR(CheckKnownInside(*it, "route",
                                         {"tenants", "types", "min_severity", "changes",
                                          "group_wait", "repeat_interval", "digest", "timezone"}));
  Status s = ReadRouteFields(*it, out);
  if (s.ok()) return s;
  return Status(s.code(), "route." + s.message());
}

// name, kind and the kinds' plain (not secret) fields.
Status ReadPlainFields(const nlohmann::json& body, ChannelSpec* spec) {
  VIGIL_ASSIGN_OR_RETURN(spec->name, RequiredStringField(body, "name"));
  VIGIL_RETURN_IF_ERROR(ValidateChannelName(spec->name));
  VIGIL_ASSIGN_OR_RETURN(spec->kind, RequiredStringField(body, "kind"));
  if (!IsChannelKind(spec->kind)) {
    return Status::InvalidArgument("kind: unknown channel kind \"" + spec->kind +
                                   "\" (expected webhook, slack, teams, email, pagerduty or "
                                   "alertmanager)");
  }
  const std::pair<const char*, std::string*> strings[] = {
      {"smtp_url", &spec->smtp_url}, {"smtp_user", &spec->smtp_user}, {"from", &spec->from}};
  for (const auto& [key, out] : strings) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> value, OptionalStringField(body, key));
    if (value) *out = std::move(*value);
  }
  VIGIL_ASSIGN_OR_RETURN(auto to, OptionalStringArrayField(body, "to"));
  if (to) spec->to = std::move(*to);
  return Status::Ok();
}

// give_up, timeout, max_retry_wait and max_per_second.
Status ReadPolicy(const nlohmann::json& body, DeliveryPolicy* policy) {
  VIGIL_RETURN_IF_ERROR(ReadDuration(body, "give_up", false, &policy->give_up_ms));
  VIGIL_RETURN_IF_ERROR(ReadDuration(body, "timeout", false, &policy->timeout_ms));
  VIGIL_RETURN_IF_ERROR(ReadDuration(body, "max_retry_wait", false, &policy->max_retry_ms));
  if (policy->max_retry_ms < policy->first_retry_ms) {
    return Status::InvalidArgument("max_retry_wait: at least " +
                                   FormatDuration(policy->first_retry_ms));
  }
  VIGIL_ASSIGN_OR_RETURN(std::optional<double> rate, OptionalNumberField(body, "max_per_second"));
  if (rate) {
    if (*rate < 0 || !std::isfinite(*rate)) {
      return Status::InvalidArgument("max_per_second: must be 0 (the kind's default) or above");
    }
    policy->max_per_second = *rate;
  }
  return Status::Ok();
}

}  // namespace

Result<ChannelBody> ReadChannelBody(const nlohmann::json& body) {
  VIGIL_RETURN_IF_ERROR(
      CheckKnownFields(body, {"name", "kind", "tenant", "url", "signing_secret", "routing_key",
                              "smtp_url", "smtp_user", "smtp_password", "from", "to", "route",
                              "give_up", "timeout", "max_retry_wait", "max_per_second"}));
  ChannelBody out;
  VIGIL_ASSIGN_OR_RETURN(out.owner, OptionalStringField(body, "tenant"));
  Status s = ReadPlainFields(body, &out.spec);
  const std::pair<const char*, std::string*> secrets[] = {
      {"url", &out.spec.url},
      {"signing_secret", &out.spec.signing_secret},
      {"routing_key", &out.spec.routing_key},
      {"smtp_password", &out.spec.smtp_password}};
  for (const auto& [key, field] : secrets) {
    if (s.ok()) s = ReadSecret(body, key, field);
  }
  if (s.ok()) s = ReadRoute(body, &out);
  if (s.ok()) s = ReadPolicy(body, &out.spec.policy);
  if (!s.ok()) {
    for (const auto& secret : secrets) ScrubString(secret.second);
    return s;
  }
  return out;
}

}  // namespace vigil
