#include "store/source_availability.h"

namespace vigil {

Result<std::vector<KindAvailability>> ListKindAvailability(Db* db, int64_t tenant_id) {
  std::string sql =
      "SELECT a.data_source_id, a.kind, a.available, a.reason, a.updated_at"
      " FROM data_availability a";
  if (tenant_id != 0) {
    sql += " JOIN data_sources ds ON ds.id = a.data_source_id WHERE ds.tenant_id = ?";
  }
  sql += " ORDER BY a.data_source_id, a.kind";
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt, db->Prepare(sql));
  if (tenant_id != 0) stmt->BindInt(1, tenant_id);
  std::vector<KindAvailability> rows;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    KindAvailability a;
    a.data_source_id = stmt->Int(0);
    a.kind = stmt->String(1);
    a.available = stmt->Int(2) != 0;
    a.reason = stmt->String(3);
    a.updated_at = stmt->Int(4);
    rows.push_back(std::move(a));
  }
  return rows;
}

}  // namespace vigil
