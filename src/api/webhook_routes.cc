// POST /hooks/{source_id}: a provider (or anything holding the data
// source's webhook secret) asks for a sync now. The route is public: the
// signature (http/webhook_signature.h) is its authentication. In order:
//   503 unavailable        the server has no secret key to open secrets with
//   404 not_found          no such data source, or it has no webhook secret
//                          ("data source N not found" either way)
//   401 invalid_signature  Vigil-Signature missing, malformed or not matching
//   401 stale_timestamp    t= further than ApiLimits::webhook_tolerance_ms from now
//   400 bad_request        a Vigil-Delivery that is not 1-128 of [A-Za-z0-9._:-]
//   409 replayed_delivery  this delivery (its id, or this very signature) was seen
//   503 unavailable        the sync could not be enqueued (the server log says why)
//   202 {"trace_id", "job_id", "delivery_id"}: the sync is enqueued
// The delivery id is Vigil-Delivery, or the matching signature when the
// header is absent. The matching signature is remembered as well, so a
// captured request replayed with another Vigil-Delivery is refused too.
// Deliveries are remembered for twice the tolerance; one whose sync could not
// be enqueued is forgotten again, so the sender's retry goes through. The
// body is any bytes and is not parsed.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "api/api_env.h"
#include "api/rate_limiter.h"
#include "api/routes.h"
#include "api/scope.h"
#include "http/webhook_signature.h"
#include "observe/log.h"
#include "queue/sync_trigger.h"
#include "store/webhook_store.h"

namespace vigil {
namespace {

constexpr size_t kMaxDeliveryIdChars = 128;

bool IsDeliveryId(const std::string& id) {
  if (id.empty() || id.size() > kMaxDeliveryIdChars) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

ApiResponse InvalidSignature(const std::string& message) {
  return ErrorResponse(401, api_error::kInvalidSignature, message);
}

ApiResponse Replayed(const std::string& delivery_id) {
  return ErrorResponse(409, api_error::kReplayedDelivery,
                       "delivery " + delivery_id + " was received before; it is not run again");
}

// "400 s in the past" / "12 s in the future" for a skew in ms (now - t).
std::string DescribeSkew(int64_t skew_ms) {
  const int64_t seconds = std::llabs(skew_ms) / 1000;
  return std::to_string(seconds) + " s in the " + (skew_ms >= 0 ? "past" : "future");
}

// Forgets the deliveries remembered for a request that then failed.
void ForgetAll(Db* db, int64_t source_id, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    Status forgotten = ForgetDelivery(db, source_id, id);
    if (!forgotten.ok()) {
      Log(LogLevel::kWarn, "webhook.forget_failed",
          {{"data_source", source_id}, {"error", forgotten.message()}});
    }
  }
}

// 429 when the data source's webhooks are over their rate; nullopt to go on.
std::optional<ApiResponse> RateLimited(RouteCall& call, int64_t source_id,
                                       const std::string& what) {
  if (call.webhook_limiter == nullptr) return std::nullopt;
  RateLimiter::Decision decision = call.webhook_limiter->Admit(source_id);
  if (decision.admitted) return std::nullopt;
  const ApiLimits& limits = call.env->limits;
  char rate[32];
  std::snprintf(rate, sizeof rate, "%g", limits.webhook_rate_per_second);
  return RateLimitedResponse("webhooks of " + what + ": rate limit reached (" +
                                 std::to_string(limits.webhook_burst) + " at once, " + rate +
                                 " per second)",
                             decision.retry_after_ms);
}

// A delivery whose signature checked out.
struct SignedDelivery {
  std::string signature;  // the v1 signature that matched
  std::string id;         // Vigil-Delivery, or the signature when it is absent
};

// Checks Vigil-Signature against `secret` (scrubbed before this returns), its
// timestamp against `now`, and Vigil-Delivery. Returns the refusal (401, 400),
// or nullopt with *delivery filled.
std::optional<ApiResponse> VerifyDelivery(const ApiRequest& request, std::string* secret,
                                          TimeMs now, int64_t tolerance_ms,
                                          SignedDelivery* delivery) {
  std::optional<std::string> header = request.Header("vigil-signature");
  if (!header) {
    ScrubString(secret);
    return InvalidSignature(
        "missing Vigil-Signature header (t=<unix seconds>,v1=<hex HMAC-SHA256>)");
  }
  Result<WebhookSignature> signature = ParseWebhookSignature(*header);
  if (!signature.ok()) {
    ScrubString(secret);
    return InvalidSignature("Vigil-Signature: " + signature.status().message());
  }
  std::optional<std::string> match = MatchWebhookSignature(*signature, *secret, request.body);
  ScrubString(secret);
  if (!match) {
    return InvalidSignature(
        "Vigil-Signature: no v1 signature matches the body (HMAC-SHA256 of \"<t>.<body>\" "
        "keyed with the data source's webhook secret)");
  }
  const int64_t skew_ms = now - signature->timestamp * 1000;
  if (std::llabs(skew_ms) > tolerance_ms) {
    return ErrorResponse(401, api_error::kStaleTimestamp,
                         "Vigil-Signature: t=" + std::to_string(signature->timestamp) + " is " +
                             DescribeSkew(skew_ms) + "; at most " +
                             std::to_string(tolerance_ms / 1000) + " s either way is accepted");
  }
  std::optional<std::string> delivery_header = request.Header("vigil-delivery");
  if (delivery_header && !IsDeliveryId(*delivery_header)) {
    return ErrorResponse(400, api_error::kBadRequest,
                         "Vigil-Delivery: expected 1 to 128 characters of A-Z a-z 0-9 . _ : -");
  }
  delivery->signature = *match;
  delivery->id = delivery_header.value_or(*match);
  return std::nullopt;
}

// Remembers the delivery for `keep_ms`: its signature first, then the
// sender's id (when it gave one). Returns 409 for a delivery seen before, or
// the store's error; nullopt with *remembered listing what was remembered.
std::optional<ApiResponse> RememberOrRefuse(Db* db, int64_t source_id,
                                            const SignedDelivery& delivery, TimeMs now,
                                            int64_t keep_ms,
                                            std::vector<std::string>* remembered) {
  for (const std::string& id : {delivery.signature, delivery.id}) {
    if (!remembered->empty() && id == remembered->back()) continue;
    Result<Delivery> seen = RememberDelivery(db, source_id, id, now, keep_ms);
    if (!seen.ok()) {
      ForgetAll(db, source_id, *remembered);
      return ErrorFromStatus(seen.status());
    }
    if (*seen == Delivery::kReplay) return Replayed(delivery.id);
    remembered->push_back(id);
  }
  return std::nullopt;
}

// Enqueues the sync the delivery asks for: 202, or 503 after forgetting the
// delivery so the sender's retry goes through.
ApiResponse EnqueueSync(Db* db, const ApiEnv& env, const DataSourceRow& source,
                        const std::string& delivery_id,
                        const std::vector<std::string>& remembered) {
  TriggerOptions options;
  options.by = "webhook";
  Result<TriggeredSync> triggered =
      TriggerSync(db, env.queue, *env.clock, source.tenant_id, source.id, options);
  if (!triggered.ok()) {
    ForgetAll(db, source.id, remembered);
    Log(LogLevel::kError, "webhook.enqueue_failed",
        {{"data_source", source.id}, {"error", triggered.status().message()}});
    return ErrorResponse(503, api_error::kUnavailable,
                         "the sync could not be enqueued; retry the delivery later");
  }
  return JsonResponse(202, {{"trace_id", triggered->trace_id},
                            {"job_id", triggered->job_id},
                            {"delivery_id", delivery_id}});
}

ApiResponse HandleHook(const ApiRequest& request, RouteCall& call) {
  ApiEnv* env = call.env;
  const std::string& id_text = request.Param("source_id");
  const std::string what = "data source " + id_text;
  if (env->secret_key == nullptr) {
    return ErrorResponse(503, api_error::kUnavailable,
                         std::string("webhooks need the secret key (") + kSecretKeyEnv + " or " +
                             kSecretKeyFileEnv + ")");
  }
  std::optional<int64_t> source_id = ParseId(id_text);
  if (!source_id) return NotFoundResponse(what);
  if (std::optional<ApiResponse> limited = RateLimited(call, *source_id, what)) return *limited;
  Result<DbLease> lease = env->db_pool->Acquire();
  if (!lease.ok()) return ErrorFromStatus(lease.status());
  Db* db = lease->get();
  Result<DataSourceRow> source = GetDataSource(db, *source_id);
  if (!source.ok()) {
    if (source.status().code() == Code::kNotFound) return NotFoundResponse(what);
    return ErrorFromStatus(source.status());
  }
  Result<std::optional<std::string>> secret = LoadWebhookSecret(db, *source_id, *env->secret_key);
  if (!secret.ok()) {
    // Sealed with another key, or corrupt: the operator's problem, not the sender's.
    Log(LogLevel::kError, "webhook.secret_unreadable",
        {{"data_source", *source_id}, {"error", secret.status().message()}});
    return ErrorResponse(500, api_error::kInternal, "internal error; the server log has details");
  }
  if (!secret->has_value()) return NotFoundResponse(what);

  const TimeMs now = env->clock->NowMs();
  const int64_t tolerance_ms = env->limits.webhook_tolerance_ms;
  SignedDelivery delivery;
  if (std::optional<ApiResponse> refused =
          VerifyDelivery(request, &**secret, now, tolerance_ms, &delivery)) {
    return *refused;
  }
  std::vector<std::string> remembered;
  if (std::optional<ApiResponse> refused =
          RememberOrRefuse(db, *source_id, delivery, now, 2 * tolerance_ms, &remembered)) {
    return *refused;
  }
  return EnqueueSync(db, *env, *source, delivery.id, remembered);
}

}  // namespace

void AddWebhookRoutes(Router* router) {
  router->Add({"POST", "/hooks/{source_id}", RouteAuth::kPublic, HandleHook});
}

}  // namespace vigil
