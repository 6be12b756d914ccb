#include "providers/graph_parse.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "common/time.h"

namespace vigil {
namespace {

namespace dom = simdjson::dom;

// The largest document whose parse buffers a thread keeps for the next parse.
// Larger buffers (a big tenant's users.json) are freed at once: holding them
// through the sync that follows would cost more memory than the snapshot.
constexpr size_t kRetainedCapacity = size_t{4} << 20;

// A position in the document: a chain of member names and array indexes on
// the stack, rendered ("value[3].accountEnabled") only when an error is
// reported.
struct Where {
  const Where* parent = nullptr;
  std::string_view key;  // a member name; unused when index >= 0
  int64_t index = -1;    // an array index
};

void RenderWhere(const Where* w, std::string* out) {
  if (w == nullptr) return;
  RenderWhere(w->parent, out);
  if (w->index >= 0) {
    out->push_back('[');
    out->append(std::to_string(w->index));
    out->push_back(']');
  } else if (!w->key.empty()) {
    if (!out->empty()) out->push_back('.');
    out->append(w->key);
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void SortStrings(std::vector<std::string>* v) { std::sort(v->begin(), v->end()); }

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

// Reads values of one file; every error names the file.
//
// The DOM API is used (not On Demand): its parse runs the best kernel for the
// CPU, chosen at run time, and validates the whole document up front, so a
// malformed file is reported as such before any type error.
class Reader {
 public:
  explicit Reader(std::string_view file) : file_(file) {}

  Status Fail(const Where* w, std::string_view message) const {
    std::string text(file_);
    text.append(": ");
    std::string path;
    RenderWhere(w, &path);
    if (!path.empty()) {
      text.append(path);
      text.append(": ");
    }
    text.append(message);
    return Status::InvalidArgument(std::move(text));
  }

  Status Malformed(simdjson::error_code e) const {
    return Status::InvalidArgument(std::string(file_) +
                                   ": malformed JSON: " + simdjson::error_message(e));
  }

  Status Missing(const Where& w, std::string_view field) const {
    return Fail(&w, "missing required field \"" + std::string(field) + "\"");
  }

  // A string; null -> "" (absent).
  Status StringView(dom::element v, const Where& w, std::string_view* out) const {
    if (v.is_null()) {
      *out = {};
      return Status::Ok();
    }
    if (v.get_string().get(*out)) return Fail(&w, "expected string");
    return Status::Ok();
  }

  Status String(dom::element v, const Where& w, std::string* out) const {
    std::string_view s;
    VIGIL_RETURN_IF_ERROR(StringView(v, w, &s));
    out->assign(s.data(), s.size());
    return Status::Ok();
  }

  // A boolean; null -> nullopt.
  Status Bool(dom::element v, const Where& w, std::optional<bool>* out) const {
    if (v.is_null()) {
      out->reset();
      return Status::Ok();
    }
    bool b = false;
    if (v.get_bool().get(b)) return Fail(&w, "expected boolean");
    *out = b;
    return Status::Ok();
  }

  // An integer; null -> 0.
  Status Int(dom::element v, const Where& w, int64_t* out) const {
    if (v.is_null()) {
      *out = 0;
      return Status::Ok();
    }
    if (v.get_int64().get(*out)) return Fail(&w, "expected integer");
    return Status::Ok();
  }

  // A timestamp; null, "" and "0001-01-01..." -> nullopt ("never").
  Status Time(dom::element v, const Where& w, std::optional<TimeMs>* out) const {
    std::string_view s;
    VIGIL_RETURN_IF_ERROR(StringView(v, w, &s));
    if (s.empty() || s.substr(0, 10) == "0001-01-01") {
      out->reset();
      return Status::Ok();
    }
    Result<TimeMs> t = ParseIso8601(s);
    if (!t.ok()) return Fail(&w, t.status().message());
    *out = *t;
    return Status::Ok();
  }

  // An object; null -> *present = false.
  Status Object(dom::element v, const Where& w, dom::object* out, bool* present) const {
    *present = !v.is_null();
    if (!*present) return Status::Ok();
    if (v.get_object().get(*out)) return Fail(&w, "expected object");
    return Status::Ok();
  }

  // Calls f(key, value, where) for each member of `obj`.
  template <typename F>
  Status Fields(dom::object obj, const Where& w, F&& f) const {
    for (dom::key_value_pair member : obj) {
      const Where fw{&w, member.key};
      VIGIL_RETURN_IF_ERROR(f(member.key, member.value, fw));
    }
    return Status::Ok();
  }

  // Calls f(element, where) for each element of an array; null -> none.
  template <typename F>
  Status Elements(dom::element v, const Where& w, F&& f) const {
    if (v.is_null()) return Status::Ok();
    dom::array array;
    if (v.get_array().get(array)) return Fail(&w, "expected array");
    int64_t index = 0;
    for (dom::element element : array) {
      const Where ew{&w, {}, index++};
      VIGIL_RETURN_IF_ERROR(f(element, ew));
    }
    return Status::Ok();
  }

  // Calls f(object, where) for each element of an array, which must be objects.
  template <typename F>
  Status ObjectElements(dom::element v, const Where& w, F&& f) const {
    return Elements(v, w, [&](dom::element ev, const Where& ew) -> Status {
      dom::object obj;
      if (ev.get_object().get(obj)) return Fail(&ew, "expected object");
      return f(obj, ew);
    });
  }

  // A string array; null -> empty. Elements must be strings.
  Status StringArray(dom::element v, const Where& w, std::vector<std::string>* out) const {
    out->clear();
    return Elements(v, w, [&](dom::element ev, const Where& ew) -> Status {
      std::string_view s;
      if (ev.get_string().get(s)) return Fail(&ew, "expected string");
      out->emplace_back(s);
      return Status::Ok();
    });
  }

  // Parses `body` as a single object and calls f(object, where).
  template <typename F>
  Status Document(const simdjson::padded_string& body, const GraphParseOptions& options,
                  F&& f) const {
    VIGIL_RETURN_IF_ERROR(CheckGraphFileSize(file_, body.size(), options));
    // Reusing the parser's buffers avoids most of the cost of a parse (page
    // faults on fresh memory); buffers grown past kRetainedCapacity are freed.
    thread_local dom::parser parser;
    Status status = [&]() -> Status {
      dom::element root;
      if (auto e = parser.parse(body).get(root); e) return Malformed(e);
      dom::object obj;
      if (root.get_object().get(obj)) return Fail(nullptr, "expected a JSON object");
      return f(obj, Where{});
    }();
    if (parser.capacity() > kRetainedCapacity) parser = dom::parser();
    return status;
  }

  // Parses a `{"value":[...]}` body, calls reserve(element count), then
  // f(object, where) per element.
  template <typename R, typename F>
  Status ValueArray(const simdjson::padded_string& body, const GraphParseOptions& options,
                    R&& reserve, F&& f) const {
    return Document(body, options, [&](dom::object root, const Where&) -> Status {
      dom::element value;
      if (root.at_key("value").get(value)) return Fail(nullptr, "missing required field \"value\"");
      if (!value.is_array()) return Fail(nullptr, "\"value\" must be an array");
      const Where w{nullptr, "value"};
      reserve(dom::array(value).size());
      return ObjectElements(value, w, f);
    });
  }

 private:
  std::string_view file_;
};

Status ParseUser(const Reader& r, dom::object obj, const Where& w, UserRecord* u) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, dom::element v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &u->id);
        if (key == "userPrincipalName") return r.String(v, fw, &u->upn);
        if (key == "displayName") return r.String(v, fw, &u->display_name);
        if (key == "accountEnabled") {
          std::optional<bool> enabled;
          VIGIL_RETURN_IF_ERROR(r.Bool(v, fw, &enabled));
          u->enabled = enabled.value_or(true);
          return Status::Ok();
        }
        if (key == "userType") {
          std::string_view type;
          VIGIL_RETURN_IF_ERROR(r.StringView(v, fw, &type));
          u->guest = EqualsIgnoreCase(type, "guest");
          return Status::Ok();
        }
        if (key == "createdDateTime") return r.Time(v, fw, &u->created);
        if (key == "signInActivity") {
          dom::object activity;
          bool present = false;
          VIGIL_RETURN_IF_ERROR(r.Object(v, fw, &activity, &present));
          if (!present) return Status::Ok();
          return r.Fields(
              activity, fw, [&](std::string_view k, dom::element av, const Where& aw) -> Status {
                if (k != "lastSignInDateTime" && k != "lastNonInteractiveSignInDateTime") {
                  return Status::Ok();
                }
                std::optional<TimeMs> t;
                VIGIL_RETURN_IF_ERROR(r.Time(av, aw, &t));
                if (t && (!u->last_sign_in || *t > *u->last_sign_in)) {
                  u->last_sign_in = t;
                }
                return Status::Ok();
              });
        }
        if (key == "assignedLicenses") {
          return r.ObjectElements(v, fw, [&](dom::object lic, const Where& lw) -> Status {
            std::string_view sku_id;
            VIGIL_RETURN_IF_ERROR(r.Fields(
                lic, lw, [&](std::string_view k, dom::element lv, const Where& kw) -> Status {
                  if (k == "skuId") return r.StringView(lv, kw, &sku_id);
                  return Status::Ok();
                }));
            if (sku_id.empty()) return r.Missing(lw, "skuId");
            u->sku_ids.emplace_back(sku_id);
            return Status::Ok();
          });
        }
        return Status::Ok();
      }));
  if (u->id.empty()) return r.Missing(w, "id");
  if (u->sku_ids.size() > 1) SortUnique(&u->sku_ids);
  return Status::Ok();
}

Status ParseSku(const Reader& r, dom::object obj, const Where& w, SkuRecord* s) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, dom::element v, const Where& fw) -> Status {
        if (key == "skuId") return r.String(v, fw, &s->id);
        if (key == "skuPartNumber") return r.String(v, fw, &s->part_number);
        if (key == "consumedUnits") return r.Int(v, fw, &s->consumed_units);
        if (key == "prepaidUnits") {
          dom::object units;
          bool present = false;
          VIGIL_RETURN_IF_ERROR(r.Object(v, fw, &units, &present));
          if (!present) return Status::Ok();
          return r.Fields(units, fw,
                          [&](std::string_view k, dom::element uv, const Where& uw) -> Status {
                            if (k == "enabled") return r.Int(uv, uw, &s->enabled_units);
                            return Status::Ok();
                          });
        }
        return Status::Ok();
      }));
  if (s->id.empty()) return r.Missing(w, "skuId");
  return Status::Ok();
}

Status ParseRegistration(const Reader& r, dom::object obj, const Where& w,
                         RegistrationRecord* reg) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, dom::element v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &reg->user_id);
        if (key == "userPrincipalName") return r.String(v, fw, &reg->upn);
        if (key == "isMfaRegistered") {
          std::optional<bool> b;
          VIGIL_RETURN_IF_ERROR(r.Bool(v, fw, &b));
          reg->mfa_registered = b.value_or(false);
          return Status::Ok();
        }
        if (key == "methodsRegistered") return r.StringArray(v, fw, &reg->methods);
        return Status::Ok();
      }));
  if (reg->user_id.empty()) return r.Missing(w, "id");
  SortStrings(&reg->methods);
  return Status::Ok();
}

Status ParseAssignment(const Reader& r, dom::object obj, const Where& w, RoleAssignmentRecord* a) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, dom::element v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &a->id);
        if (key == "roleDefinitionId") return r.String(v, fw, &a->role_id);
        if (key == "principalId") return r.String(v, fw, &a->principal_id);
        if (key == "principal") {
          dom::object principal;
          bool present = false;
          VIGIL_RETURN_IF_ERROR(r.Object(v, fw, &principal, &present));
          if (!present) return Status::Ok();
          return r.Fields(principal, fw,
                          [&](std::string_view k, dom::element pv, const Where& pw) -> Status {
                            if (k != "@odata.type") return Status::Ok();
                            std::string_view type;
                            VIGIL_RETURN_IF_ERROR(r.StringView(pv, pw, &type));
                            a->principal_is_user =
                                type.empty() || EqualsIgnoreCase(type, "#microsoft.graph.user");
                            return Status::Ok();
                          });
        }
        return Status::Ok();
      }));
  if (a->id.empty()) return r.Missing(w, "id");
  if (a->role_id.empty()) return r.Missing(w, "roleDefinitionId");
  if (a->principal_id.empty()) return r.Missing(w, "principalId");
  return Status::Ok();
}

Status ParsePolicy(const Reader& r, dom::object obj, const Where& w, PolicyRecord* p) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, dom::element v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &p->id);
        if (key == "displayName") return r.String(v, fw, &p->name);
        if (key == "state") return r.String(v, fw, &p->state);
        if (key == "conditions") {
          dom::object conditions;
          bool present = false;
          VIGIL_RETURN_IF_ERROR(r.Object(v, fw, &conditions, &present));
          if (!present) return Status::Ok();
          return r.Fields(
              conditions, fw, [&](std::string_view k, dom::element cv, const Where& cw) -> Status {
                if (k == "clientAppTypes") return r.StringArray(cv, cw, &p->client_app_types);
                if (k != "users") return Status::Ok();
                dom::object users;
                bool users_present = false;
                VIGIL_RETURN_IF_ERROR(r.Object(cv, cw, &users, &users_present));
                if (!users_present) return Status::Ok();
                return r.Fields(
                    users, cw,
                    [&](std::string_view uk, dom::element uv, const Where& uw) -> Status {
                      if (uk != "includeUsers") return Status::Ok();
                      std::vector<std::string> include;
                      VIGIL_RETURN_IF_ERROR(r.StringArray(uv, uw, &include));
                      p->all_users = std::any_of(
                          include.begin(), include.end(),
                          [](const std::string& s) { return EqualsIgnoreCase(s, "All"); });
                      return Status::Ok();
                    });
              });
        }
        if (key == "grantControls") {
          dom::object grant;
          bool present = false;
          VIGIL_RETURN_IF_ERROR(r.Object(v, fw, &grant, &present));
          if (!present) return Status::Ok();
          return r.Fields(grant, fw,
                          [&](std::string_view k, dom::element gv, const Where& gw) -> Status {
                            if (k != "builtInControls") return Status::Ok();
                            return r.StringArray(gv, gw, &p->built_in_controls);
                          });
        }
        return Status::Ok();
      }));
  if (p->id.empty()) return r.Missing(w, "id");
  SortStrings(&p->client_app_types);
  SortStrings(&p->built_in_controls);
  return Status::Ok();
}

Status ParseGroup(const Reader& r, dom::object obj, const Where& w, GroupRecord* g) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, dom::element v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &g->id);
        if (key == "displayName") return r.String(v, fw, &g->display_name);
        if (key == "securityEnabled") {
          std::optional<bool> b;
          VIGIL_RETURN_IF_ERROR(r.Bool(v, fw, &b));
          g->security_enabled = b.value_or(false);
          return Status::Ok();
        }
        return Status::Ok();
      }));
  if (g->id.empty()) return r.Missing(w, "id");
  return Status::Ok();
}

// The common shape of the `{"value":[...]}` parsers.
template <typename Record, typename ParseOne>
Status ParseList(std::string_view file_name, const simdjson::padded_string& body,
                 const GraphParseOptions& options, std::vector<Record>* out, ParseOne parse_one) {
  out->clear();
  const Reader r(file_name);
  return r.ValueArray(
      body, options, [&](size_t n) { out->reserve(n); },
      [&](dom::object obj, const Where& w) -> Status {
        out->emplace_back();
        return parse_one(r, obj, w, &out->back());
      });
}

}  // namespace

Status CheckGraphFileSize(std::string_view file_name, uint64_t size,
                          const GraphParseOptions& options) {
  if (size <= options.max_file_bytes) return Status::Ok();
  return Status::InvalidArgument(std::string(file_name) + ": file of " + std::to_string(size) +
                                 " bytes is above the size limit of " +
                                 std::to_string(options.max_file_bytes) + " bytes");
}

Status ParseUsers(std::string_view file_name, const simdjson::padded_string& body,
                  std::vector<UserRecord>* out, const GraphParseOptions& options) {
  return ParseList(file_name, body, options, out, ParseUser);
}

Status ParseSkus(std::string_view file_name, const simdjson::padded_string& body,
                 std::vector<SkuRecord>* out, const GraphParseOptions& options) {
  return ParseList(file_name, body, options, out, ParseSku);
}

Status ParseRegistrations(std::string_view file_name, const simdjson::padded_string& body,
                          std::vector<RegistrationRecord>* out, const GraphParseOptions& options) {
  return ParseList(file_name, body, options, out, ParseRegistration);
}

Status ParseRoleAssignments(std::string_view file_name, const simdjson::padded_string& body,
                            std::vector<RoleAssignmentRecord>* assignments,
                            std::vector<RoleRecord>* roles, const GraphParseOptions& options) {
  VIGIL_RETURN_IF_ERROR(ParseList(file_name, body, options, assignments, ParseAssignment));
  *roles = DeriveRoles(*assignments);
  return Status::Ok();
}

Status ParsePolicies(std::string_view file_name, const simdjson::padded_string& body,
                     std::vector<PolicyRecord>* out, const GraphParseOptions& options) {
  return ParseList(file_name, body, options, out, ParsePolicy);
}

Status ParseGroups(std::string_view file_name, const simdjson::padded_string& body,
                   std::vector<GroupRecord>* out, const GraphParseOptions& options) {
  return ParseList(file_name, body, options, out, ParseGroup);
}

Status ParseSecurityDefaults(std::string_view file_name, const simdjson::padded_string& body,
                             SecurityDefaultsRecord* out, const GraphParseOptions& options) {
  const Reader r(file_name);
  return r.Document(body, options, [&](dom::object root, const Where& w) -> Status {
    bool seen = false;
    VIGIL_RETURN_IF_ERROR(
        r.Fields(root, w, [&](std::string_view key, dom::element v, const Where& fw) -> Status {
          if (key != "isEnabled") return Status::Ok();
          std::optional<bool> enabled;
          VIGIL_RETURN_IF_ERROR(r.Bool(v, fw, &enabled));
          seen = enabled.has_value();
          out->enabled = enabled.value_or(false);
          return Status::Ok();
        }));
    if (!seen) return r.Missing(w, "isEnabled");
    return Status::Ok();
  });
}

Status ParseKindFile(EntityKind kind, std::string_view file_name,
                     const simdjson::padded_string& body, Snapshot* snapshot,
                     const GraphParseOptions& options) {
  switch (kind) {
    case EntityKind::kUser:
      return ParseUsers(file_name, body, &snapshot->users, options);
    case EntityKind::kSku:
      return ParseSkus(file_name, body, &snapshot->skus, options);
    case EntityKind::kRegistration:
      return ParseRegistrations(file_name, body, &snapshot->registrations, options);
    case EntityKind::kRole:
      return ParseRoleAssignments(file_name, body, &snapshot->role_assignments, &snapshot->roles,
                                  options);
    case EntityKind::kPolicy:
      return ParsePolicies(file_name, body, &snapshot->policies, options);
    case EntityKind::kSetting: {
      SecurityDefaultsRecord record;
      VIGIL_RETURN_IF_ERROR(ParseSecurityDefaults(file_name, body, &record, options));
      snapshot->security_defaults = record;
      return Status::Ok();
    }
    case EntityKind::kGroup:
      return ParseGroups(file_name, body, &snapshot->groups, options);
    case EntityKind::kSignIn:
      return Status::Ok();  // sign-ins are part of the users (kUser)
  }
  return Status::Internal("ParseKindFile: unknown entity kind");
}

std::vector<RoleRecord> DeriveRoles(const std::vector<RoleAssignmentRecord>& assignments) {
  std::vector<std::string_view> ids;
  ids.reserve(assignments.size());
  for (const RoleAssignmentRecord& a : assignments) ids.push_back(a.role_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<RoleRecord> roles;
  roles.reserve(ids.size());
  for (std::string_view id : ids) roles.push_back(RoleForDefinitionId(id));
  return roles;
}

}  // namespace vigil
