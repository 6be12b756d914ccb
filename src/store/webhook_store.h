// Webhook secrets and deliveries (migration 8): what POST /hooks/{source_id}
// (api/webhook_routes.cc) checks a delivery against.
//
// A data source has at most one webhook secret: 32 random bytes written as
// 64 lower-case hex digits, which the sender uses as its HMAC key
// (http/webhook_signature.h). It is stored sealed with the secret key
// (store/secret_box.h) in webhook_secrets, never in clear; creating one
// replaces the old one (rotation: the old one stops verifying at once).
//
// webhook_deliveries remembers the delivery ids seen per data source, so a
// delivery sent twice is refused; ids older than the caller's keep window
// are forgotten (by then the signature's timestamp is too old anyway).
//
// Nothing here logs or prints a secret. Thread safety: that of the Db (one
// thread at a time per Db); concurrent RememberDelivery calls on different
// connections with the same id admit exactly one (the primary key decides).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"
#include "store/secret_box.h"

namespace vigil {

// Creates (or replaces) the webhook secret of data source `data_source_id`
// and returns it, in clear, for the caller to show once. NotFound "no data
// source with id N" when there is no such data source; the database's
// error otherwise. One transaction.
Result<std::string> CreateWebhookSecret(Db* db, int64_t data_source_id, const SecretKey& key,
                                        TimeMs now);

// The webhook secret of `data_source_id` in clear, or nullopt when it has
// none. InvalidArgument (secret_box's Open) when the stored secret does not
// open with `key` (sealed with another key, or corrupt). The caller scrubs
// the returned secret when done (ScrubString).
Result<std::optional<std::string>> LoadWebhookSecret(Db* db, int64_t data_source_id,
                                                     const SecretKey& key);

// Whether a delivery was new or seen before.
enum class Delivery { kNew, kReplay };

// Records delivery `delivery_id` of `data_source_id` at `now`, first
// forgetting every delivery (of any data source) received before
// now - keep_ms. kReplay when the id is still remembered (its first
// receipt stays what is remembered). One transaction.
Result<Delivery> RememberDelivery(Db* db, int64_t data_source_id, std::string_view delivery_id,
                                  TimeMs now, int64_t keep_ms);

// Forgets delivery `delivery_id` (so the sender's retry of a delivery that
// could not be acted on is accepted). Forgetting an unknown id is a no-op.
Status ForgetDelivery(Db* db, int64_t data_source_id, std::string_view delivery_id);

}  // namespace vigil
