#include "sync/stored_users.h"

#include <memory>

#include "providers/entity_codec.h"

namespace vigil {

Result<std::vector<UserRecord>> LoadStoredUsers(Db* db, int64_t data_source_id) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT external_id, attributes FROM entities"
                  " WHERE data_source_id = ? AND kind = 'user' AND deleted_at IS NULL"));
  stmt->BindInt(1, data_source_id);
  std::vector<UserRecord> users;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    VIGIL_RETURN_IF_ERROR(DecodeUser(stmt->Text(0), stmt->Text(1), &users.emplace_back()));
  }
  return users;
}

}  // namespace vigil
