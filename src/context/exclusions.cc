#include "context/exclusions.h"

#include <memory>
#include <optional>

namespace vigil {
namespace {

constexpr std::string_view kColumns =
    "SELECT id, kind, value, alert_type, reason, added_by, added_at FROM exclusions";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool Blank(std::string_view text) {
  for (char c : text) {
    if (!IsSpace(c)) return false;
  }
  return true;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// What the value of an exclusion of `kind` names, for messages.
std::string_view ValueMeaning(std::string_view kind) {
  if (kind == "user") return "the user's object id or UPN";
  if (kind == "group") return "the group's object id";
  return "the SKU's part number";
}

// "a user", "a SKU", "the tenant": the subject of an alert type, for messages.
std::string_view SubjectPhrase(std::string_view subject_kind) {
  if (subject_kind == "user") return "a user";
  if (subject_kind == "sku") return "a SKU";
  return "the tenant";
}

// The value as stored: user and group values (object ids, UPNs) compare
// without case, so they are kept in lower case; part numbers as given.
std::string StoredValue(const ExclusionInput& input) {
  return input.kind == "sku" ? input.value : Lower(input.value);
}

Exclusion ReadExclusion(const Statement& row) {
  Exclusion e;
  e.id = row.Int(0);
  e.kind = row.String(1);
  e.value = row.String(2);
  e.alert_type = row.String(3);
  e.reason = row.String(4);
  e.added_by = row.String(5);
  e.added_at = row.Int(6);
  return e;
}

}  // namespace

bool IsPrivilegeAlertType(std::string_view alert_type) {
  return alert_type.rfind("privilege.", 0) == 0;
}

bool ExclusionCovers(std::string_view exclusion_type, std::string_view alert_type) {
  if (IsPrivilegeAlertType(alert_type)) return false;
  return exclusion_type == kEveryAlertType || exclusion_type == alert_type;
}

std::string ExclusionTarget(const Exclusion& exclusion) {
  return exclusion.kind + ":" + exclusion.value;
}

Status ValidateExclusion(const ExclusionInput& input, SubjectKindFn subject_kind_of) {
  const std::string& kind = input.kind;
  if (kind != "user" && kind != "group" && kind != "sku") {
    return Status::InvalidArgument("exclusion kind \"" + kind +
                                   "\" is not one of user, group, sku");
  }
  const std::string of = "exclusion of a " + kind + ": ";
  if (input.value.empty()) {
    return Status::InvalidArgument(of + "the value is empty (" +
                                   std::string(ValueMeaning(kind)) + ")");
  }
  if (input.value.size() > kMaxExclusionValue) {
    return Status::InvalidArgument(of + "the value is longer than " +
                                   std::to_string(kMaxExclusionValue) + " characters");
  }
  for (char c : input.value) {
    if (IsSpace(c)) {
      return Status::InvalidArgument(of + "the value \"" + input.value +
                                     "\" contains white space");
    }
  }
  if (Blank(input.reason)) return Status::InvalidArgument("exclusion: a reason is required");
  if (input.reason.size() > kMaxExclusionReason) {
    return Status::InvalidArgument("exclusion: the reason is longer than " +
                                   std::to_string(kMaxExclusionReason) + " characters");
  }
  if (Blank(input.added_by)) return Status::InvalidArgument("exclusion: who adds it is required");
  if (input.added_by.size() > kMaxExclusionValue) {
    return Status::InvalidArgument("exclusion: who adds it is longer than " +
                                   std::to_string(kMaxExclusionValue) + " characters");
  }
  if (input.alert_type == kEveryAlertType) return Status::Ok();
  const std::string_view subject = subject_kind_of(input.alert_type);
  if (subject.empty()) {
    return Status::InvalidArgument("exclusion: unknown alert type \"" + input.alert_type + "\"");
  }
  if (IsPrivilegeAlertType(input.alert_type)) {
    return Status::InvalidArgument("privilege alerts cannot be excluded");
  }
  const bool matches = kind == "sku" ? subject == "sku" : subject == "user";
  if (!matches) {
    return Status::InvalidArgument("exclusion: " + input.alert_type + " is about " +
                                   std::string(SubjectPhrase(subject)) + ", so a " + kind +
                                   " exclusion never matches it");
  }
  return Status::Ok();
}

Result<Exclusion> AddExclusion(Db* db, int64_t tenant_id, const ExclusionInput& input, TimeMs now,
                               SubjectKindFn subject_kind_of) {
  VIGIL_RETURN_IF_ERROR(ValidateExclusion(input, subject_kind_of));
  Exclusion e;
  e.kind = input.kind;
  e.value = StoredValue(input);
  e.alert_type = input.alert_type;
  e.reason = input.reason;
  e.added_by = input.added_by;
  e.added_at = now;

  Transaction tx(db);
  VIGIL_RETURN_IF_ERROR(tx.status());
  VIGIL_ASSIGN_OR_RETURN(
      std::optional<int64_t> existing,
      db->QueryInt("SELECT id FROM exclusions WHERE tenant_id = ? AND kind = ? AND value = ?"
                   " AND alert_type = ?",
                   {tenant_id, e.kind, e.value, e.alert_type}));
  if (existing) {
    return Status::AlreadyExists(
        ExclusionTarget(e) + " is already excluded from " +
        (e.alert_type == kEveryAlertType ? std::string("every alert type") : e.alert_type) +
        " (exclusion " + std::to_string(*existing) + ")");
  }
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> insert,
      db->Prepare("INSERT INTO exclusions (tenant_id, kind, value, alert_type, reason, added_by,"
                  " added_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"));
  insert->BindInt(1, tenant_id);
  insert->BindText(2, e.kind);
  insert->BindText(3, e.value);
  insert->BindText(4, e.alert_type);
  insert->BindText(5, e.reason);
  insert->BindText(6, e.added_by);
  insert->BindInt(7, e.added_at);
  VIGIL_ASSIGN_OR_RETURN(bool row, insert->Step());
  if (!row) return Status::Internal("INSERT INTO exclusions returned no id");
  e.id = insert->Int(0);
  insert->Reset();
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return e;
}

Result<Exclusion> RemoveExclusion(Db* db, int64_t tenant_id, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("DELETE FROM exclusions WHERE id = ? AND tenant_id = ?"
                  " RETURNING id, kind, value, alert_type, reason, added_by, added_at"));
  stmt->BindInt(1, id);
  stmt->BindInt(2, tenant_id);
  VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return Status::NotFound("no exclusion " + std::to_string(id));
  Exclusion removed = ReadExclusion(*stmt);
  stmt->Reset();
  return removed;
}

Result<std::vector<Exclusion>> ListExclusions(Db* db, int64_t tenant_id) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt,
                         db->Prepare(std::string(kColumns) + " WHERE tenant_id = ? ORDER BY id"));
  stmt->BindInt(1, tenant_id);
  std::vector<Exclusion> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(ReadExclusion(*stmt));
  }
  return out;
}

}  // namespace vigil
