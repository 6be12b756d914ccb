#include "store/webhook_store.h"

#include <sodium.h>

#include "store/tenants.h"

namespace vigil {
namespace {

constexpr size_t kSecretBytes = 32;

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace

Result<std::string> CreateWebhookSecret(Db* db, int64_t data_source_id, const SecretKey& key,
                                        TimeMs now) {
  if (!SodiumReady()) return Status::Internal("libsodium failed to initialise");
  unsigned char bytes[kSecretBytes];
  randombytes_buf(bytes, sizeof bytes);
  std::string secret(kSecretBytes * 2 + 1, '\0');
  sodium_bin2hex(secret.data(), secret.size(), bytes, sizeof bytes);
  secret.pop_back();
  sodium_memzero(bytes, sizeof bytes);

  Status written = [&]() -> Status {
    Transaction tx(db);
    VIGIL_RETURN_IF_ERROR(tx.status());
    VIGIL_RETURN_IF_ERROR(GetDataSource(db, data_source_id).status());
    VIGIL_RETURN_IF_ERROR(db->Execute(
        "INSERT INTO webhook_secrets (data_source_id, secret, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (data_source_id) DO UPDATE SET secret = excluded.secret,"
        " created_at = excluded.created_at",
        {data_source_id, Seal(key, secret), now}));
    return tx.Commit();
  }();
  if (!written.ok()) {
    ScrubString(&secret);
    return written;
  }
  return secret;
}

Result<std::optional<std::string>> LoadWebhookSecret(Db* db, int64_t data_source_id,
                                                     const SecretKey& key) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> st,
      db->Prepare("SELECT secret FROM webhook_secrets WHERE data_source_id = ?"));
  st->BindInt(1, data_source_id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<std::string>();
  VIGIL_ASSIGN_OR_RETURN(std::string secret, Open(key, st->Text(0)));
  return std::optional<std::string>(std::move(secret));
}

Result<Delivery> RememberDelivery(Db* db, int64_t data_source_id, std::string_view delivery_id,
                                  TimeMs now, int64_t keep_ms) {
  Transaction tx(db);
  VIGIL_RETURN_IF_ERROR(tx.status());
  VIGIL_RETURN_IF_ERROR(
      db->Execute("DELETE FROM webhook_deliveries WHERE received_at < ?", {now - keep_ms}));
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> insert,
      db->Prepare("INSERT INTO webhook_deliveries (data_source_id, delivery_id, received_at)"
                  " VALUES (?, ?, ?) ON CONFLICT (data_source_id, delivery_id) DO NOTHING"));
  insert->BindInt(1, data_source_id);
  insert->BindText(2, delivery_id);
  insert->BindInt(3, now);
  VIGIL_RETURN_IF_ERROR(insert->Execute());
  const bool inserted = insert->Changes() > 0;
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return inserted ? Delivery::kNew : Delivery::kReplay;
}

Status ForgetDelivery(Db* db, int64_t data_source_id, std::string_view delivery_id) {
  return db->Execute("DELETE FROM webhook_deliveries WHERE data_source_id = ? AND delivery_id = ?",
                     {data_source_id, std::string(delivery_id)});
}

}  // namespace vigil
