#include "store/api_tokens.h"

#include <sodium.h>

namespace vigil {
namespace {

constexpr std::string_view kPrefix = "vigil_";
constexpr size_t kSecretHexDigits = 64;  // 256 bits
constexpr size_t kLookupDigits = 8;

constexpr std::string_view kColumns =
    "SELECT k.id, k.name, k.tenant_id, COALESCE(t.name, ''), k.created_at, k.revoked_at, "
    "k.token_hash FROM api_tokens k LEFT JOIN tenants t ON t.id = k.tenant_id ";

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::string Hex(const unsigned char* bytes, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return Hex(digest, sizeof digest);
}

bool LowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

ApiTokenRow ReadRow(const Statement& st) {
  ApiTokenRow row;
  row.id = st.Int(0);
  row.name = std::string(st.Text(1));
  if (!st.IsNull(2)) row.tenant_id = st.Int(2);
  row.tenant = std::string(st.Text(3));
  row.created_at = st.Int(4);
  if (!st.IsNull(5)) row.revoked_at = st.Int(5);
  return row;
}

Status ValidateTokenName(const std::string& name) {
  bool printable = !name.empty() && name.size() <= 64;
  for (unsigned char c : name) printable = printable && c >= 0x20 && c != 0x7f;
  if (printable) return Status::Ok();
  return Status::InvalidArgument("token name \"" + name +
                                 "\": must be 1 to 64 printable characters");
}

}  // namespace

Result<NewApiToken> CreateApiToken(Db* db, const std::string& name,
                                   std::optional<int64_t> tenant_id, TimeMs now) {
  VIGIL_RETURN_IF_ERROR(ValidateTokenName(name));
  if (!SodiumReady()) return Status::Internal("libsodium failed to initialise");
  unsigned char secret[kSecretHexDigits / 2];
  randombytes_buf(secret, sizeof secret);
  NewApiToken created;
  created.token = std::string(kPrefix) + Hex(secret, sizeof secret);
  sodium_memzero(secret, sizeof secret);
  const std::string lookup = created.token.substr(kPrefix.size(), kLookupDigits);
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> insert,
      db->Prepare("INSERT INTO api_tokens (name, tenant_id, lookup, token_hash, created_at) "
                  "VALUES (?, ?, ?, ?, ?) RETURNING id"));
  insert->BindText(1, name);
  if (tenant_id) {
    insert->BindInt(2, *tenant_id);
  } else {
    insert->BindNull(2);
  }
  insert->BindText(3, lookup);
  insert->BindText(4, Sha256Hex(created.token));
  insert->BindInt(5, now);
  VIGIL_ASSIGN_OR_RETURN(bool row, insert->Step());
  if (!row) return Status::Internal("INSERT INTO api_tokens returned no id");
  const int64_t id = insert->Int(0);
  insert->Reset();
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> read,
                         db->Prepare(std::string(kColumns) + "WHERE k.id = ?"));
  read->BindInt(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool found, read->Step());
  if (!found) return Status::Internal("API token " + std::to_string(id) + " vanished after insert");
  created.row = ReadRow(*read);
  return created;
}

Result<std::optional<ApiTokenRow>> AuthenticateApiToken(Db* db, std::string_view token) {
  if (token.size() != kPrefix.size() + kSecretHexDigits || token.substr(0, kPrefix.size()) != kPrefix ||
      !LowerHex(token.substr(kPrefix.size()))) {
    return std::optional<ApiTokenRow>();
  }
  if (!SodiumReady()) return Status::Internal("libsodium failed to initialise");
  const std::string presented = Sha256Hex(token);
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> st,
                         db->Prepare(std::string(kColumns) +
                                     "WHERE k.lookup = ? AND k.revoked_at IS NULL"));
  st->BindText(1, token.substr(kPrefix.size(), kLookupDigits));
  std::optional<ApiTokenRow> match;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    const std::string_view stored = st->Text(6);
    if (stored.size() == presented.size() &&
        sodium_memcmp(stored.data(), presented.data(), presented.size()) == 0) {
      match = ReadRow(*st);
    }
  }
  return match;
}

Result<std::vector<ApiTokenRow>> ListApiTokens(Db* db) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> st,
                         db->Prepare(std::string(kColumns) + "ORDER BY k.id"));
  std::vector<ApiTokenRow> rows;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    rows.push_back(ReadRow(*st));
  }
  return rows;
}

Status RevokeApiToken(Db* db, int64_t id, TimeMs now) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> st,
                         db->Prepare("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) "
                                     "WHERE id = ?"));
  st->BindInt(1, now);
  st->BindInt(2, id);
  VIGIL_RETURN_IF_ERROR(st->Execute());
  if (st->Changes() == 0) return Status::NotFound("no API token with id " + std::to_string(id));
  return Status::Ok();
}

}  // namespace vigil
