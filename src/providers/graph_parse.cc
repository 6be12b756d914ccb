#include "providers/graph_parse.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "common/time.h"

namespace vigil {
namespace {

namespace od = simdjson::ondemand;

// The largest document whose parse buffers a thread keeps for the next parse.
// Larger buffers (a big tenant's users.json) are freed at once: holding them
// through the sync that follows would cost more memory than the snapshot.
constexpr size_t kRetainedCapacity = size_t{4} << 20;

// Deeper values are refused as malformed (Graph's are a few levels deep).
constexpr int kMaxDepth = 256;

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
// The On Demand API is used: it indexes the document once and builds
// nothing else, so a large users.json costs about half the memory of a DOM
// parse (no tape, no copy of every string) and less time. On Demand checks a
// value only when it is read, so every value is read: those vigil does not
// use (unknown fields, the members of a skipped object) go through Check,
// and a damaged document is reported as malformed wherever the damage is.
// Errors name the position of the first problem met in document order.
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

  Status Malformed(simdjson::error_code e, const Where* w = nullptr) const {
    return Fail(w, std::string("malformed JSON: ") + simdjson::error_message(e));
  }

  Status Missing(const Where& w, std::string_view field) const {
    return Fail(&w, "missing required field \"" + std::string(field) + "\"");
  }

  // Reads `v` whole, whatever it is: OK for well-formed JSON, otherwise the
  // malformation and where it is.
  Status Check(od::value& v, const Where& w, int depth = 0) const {
    if (depth > kMaxDepth) return Malformed(simdjson::DEPTH_ERROR, &w);
    od::json_type type;
    if (auto e = v.type().get(type); e) return Malformed(e, &w);
    switch (type) {
      case od::json_type::object: {
        od::object object;
        if (auto e = v.get_object().get(object); e) return Malformed(e, &w);
        return Fields(object, w, [&](std::string_view, od::value& fv, const Where& fw) {
          return Check(fv, fw, depth + 1);
        });
      }
      case od::json_type::array:
        return Elements(v, w, [&](od::value& ev, const Where& ew) {
          return Check(ev, ew, depth + 1);
        });
      case od::json_type::number: {
        od::number number;
        if (auto e = v.get_number().get(number); e) return Malformed(e, &w);
        return Status::Ok();
      }
      case od::json_type::string: {
        std::string_view text;
        if (auto e = v.get_string().get(text); e) return Malformed(e, &w);
        return Status::Ok();
      }
      case od::json_type::boolean: {
        bool b = false;
        if (v.get_bool().get(b)) return Malformed(simdjson::T_ATOM_ERROR, &w);
        return Status::Ok();
      }
      case od::json_type::null: {
        bool null = false;
        if (v.is_null().get(null) || !null) return Malformed(simdjson::N_ATOM_ERROR, &w);
        return Status::Ok();
      }
    }
    return Malformed(simdjson::TAPE_ERROR, &w);
  }

  // A read of `v` as `expected` failed with `e`: a well-formed value of
  // another type is "expected <type>", anything else is malformed.
  Status Bad(simdjson::error_code e, od::value& v, const Where& w,
             std::string_view expected) const {
    if (e != simdjson::INCORRECT_TYPE && e != simdjson::NUMBER_OUT_OF_RANGE) {
      return Malformed(e, &w);
    }
    VIGIL_RETURN_IF_ERROR(Check(v, w));
    return Fail(&w, "expected " + std::string(expected));
  }

  // Whether `v` is null (and then consumed).
  Status IsNull(od::value& v, const Where& w, bool* null) const {
    if (auto e = v.is_null().get(*null); e) return Malformed(simdjson::N_ATOM_ERROR, &w);
    return Status::Ok();
  }

  // A string; null -> "" (absent). The view lives as long as the document.
  Status StringView(od::value& v, const Where& w, std::string_view* out) const {
    bool null = false;
    VIGIL_RETURN_IF_ERROR(IsNull(v, w, &null));
    if (null) {
      *out = {};
      return Status::Ok();
    }
    if (auto e = v.get_string().get(*out); e) return Bad(e, v, w, "string");
    return Status::Ok();
  }

  Status String(od::value& v, const Where& w, std::string* out) const {
    std::string_view s;
    VIGIL_RETURN_IF_ERROR(StringView(v, w, &s));
    out->assign(s.data(), s.size());
    return Status::Ok();
  }

  // A boolean; null -> nullopt.
  Status Bool(od::value& v, const Where& w, std::optional<bool>* out) const {
    bool null = false;
    VIGIL_RETURN_IF_ERROR(IsNull(v, w, &null));
    if (null) {
      out->reset();
      return Status::Ok();
    }
    bool b = false;
    if (auto e = v.get_bool().get(b); e) return Bad(e, v, w, "boolean");
    *out = b;
    return Status::Ok();
  }

  // An integer; null -> 0.
  Status Int(od::value& v, const Where& w, int64_t* out) const {
    bool null = false;
    VIGIL_RETURN_IF_ERROR(IsNull(v, w, &null));
    if (null) {
      *out = 0;
      return Status::Ok();
    }
    if (auto e = v.get_int64().get(*out); e) return Bad(e, v, w, "integer");
    return Status::Ok();
  }

  // A timestamp; null, "" and "0001-01-01..." -> nullopt ("never").
  Status Time(od::value& v, const Where& w, std::optional<TimeMs>* out) const {
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

  // Calls f(key, value, where) for each member of the object `v`; null ->
  // none. f must read the value (Check it when unused).
  template <typename F>
  Status Members(od::value& v, const Where& w, F&& f) const {
    bool null = false;
    VIGIL_RETURN_IF_ERROR(IsNull(v, w, &null));
    if (null) return Status::Ok();
    od::object object;
    if (auto e = v.get_object().get(object); e) return Bad(e, v, w, "object");
    return Fields(object, w, f);
  }

  // Calls f(key, value, where) for each member of `object`.
  template <typename F>
  Status Fields(od::object& object, const Where& w, F&& f) const {
    for (auto member : object) {
      od::field field;
      if (auto e = std::move(member).get(field); e) return Malformed(e, &w);
      std::string_view key;
      if (auto e = field.unescaped_key().get(key); e) return Malformed(e, &w);
      const Where fw{&w, key};
      VIGIL_RETURN_IF_ERROR(f(key, field.value(), fw));
    }
    return Status::Ok();
  }

  // Calls f(element, where) for each element of an array; null -> none.
  template <typename F>
  Status Elements(od::value& v, const Where& w, F&& f) const {
    bool null = false;
    VIGIL_RETURN_IF_ERROR(IsNull(v, w, &null));
    if (null) return Status::Ok();
    od::array array;
    if (auto e = v.get_array().get(array); e) return Bad(e, v, w, "array");
    return ArrayElements(array, w, f);
  }

  template <typename F>
  Status ArrayElements(od::array& array, const Where& w, F&& f) const {
    int64_t index = 0;
    for (auto element : array) {
      const Where ew{&w, {}, index++};
      od::value ev;
      if (auto e = std::move(element).get(ev); e) return Malformed(e, &ew);
      VIGIL_RETURN_IF_ERROR(f(ev, ew));
    }
    return Status::Ok();
  }

  // Calls f(object, where) for each element of an array, which must be objects.
  template <typename F>
  Status ObjectElements(od::value& v, const Where& w, F&& f) const {
    return Elements(v, w, [&](od::value& ev, const Where& ew) { return AsObject(ev, ew, f); });
  }

  template <typename F>
  Status AsObject(od::value& ev, const Where& ew, F&& f) const {
    od::object object;
    if (auto e = ev.get_object().get(object); e) return Bad(e, ev, ew, "object");
    return f(object, ew);
  }

  // A string array; null -> empty. Elements must be strings.
  Status StringArray(od::value& v, const Where& w, std::vector<std::string>* out) const {
    out->clear();
    return Elements(v, w, [&](od::value& ev, const Where& ew) -> Status {
      std::string_view s;
      if (auto e = ev.get_string().get(s); e) return Bad(e, ev, ew, "string");
      out->emplace_back(s);
      return Status::Ok();
    });
  }

  // Parses `body` as a single object and calls f(object, where); then
  // nothing but whitespace may follow the object.
  template <typename F>
  Status Document(const simdjson::padded_string& body, const GraphParseOptions& options,
                  F&& f) const {
    VIGIL_RETURN_IF_ERROR(CheckGraphFileSize(file_, body.size(), options));
    // Reusing the parser's buffers avoids most of the cost of a parse (page
    // faults on fresh memory); buffers grown past kRetainedCapacity are freed.
    thread_local od::parser parser;
    Status status = [&]() -> Status {
      od::document doc;
      if (auto e = parser.iterate(body).get(doc); e) return Malformed(e);
      od::object root;
      if (auto e = doc.get_object().get(root); e) {
        if (e == simdjson::INCORRECT_TYPE) return Fail(nullptr, "expected a JSON object");
        return Malformed(e);
      }
      VIGIL_RETURN_IF_ERROR(f(root, Where{}));
      // In bounds after the root object means there is more.
      const char* rest = nullptr;
      if (!doc.current_location().get(rest)) return Malformed(simdjson::TAPE_ERROR);
      return Status::Ok();
    }();
    if (parser.capacity() > kRetainedCapacity) parser = od::parser();
    return status;
  }

  // Parses a `{"value":[...]}` body, calls reserve(element count), then
  // f(object, where) per element. Other members are checked and ignored.
  template <typename R, typename F>
  Status ValueArray(const simdjson::padded_string& body, const GraphParseOptions& options,
                    R&& reserve, F&& f) const {
    return Document(body, options, [&](od::object& root, const Where& rw) -> Status {
      bool seen = false;
      VIGIL_RETURN_IF_ERROR(
          Fields(root, rw, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
            if (key != "value" || seen) return Check(v, fw);
            seen = true;
            od::array array;
            if (auto e = v.get_array().get(array); e) {
              if (e != simdjson::INCORRECT_TYPE) return Malformed(e, &fw);
              VIGIL_RETURN_IF_ERROR(Check(v, fw));
              return Fail(nullptr, "\"value\" must be an array");
            }
            size_t count = 0;
            if (auto e = array.count_elements().get(count); e) return Malformed(e, &fw);
            reserve(count);
            return ArrayElements(array, fw, [&](od::value& ev, const Where& ew) {
              return AsObject(ev, ew, f);
            });
          }));
      if (!seen) return Fail(nullptr, "missing required field \"value\"");
      return Status::Ok();
    });
  }

 private:
  std::string_view file_;
};

Status ParseUser(const Reader& r, od::object& obj, const Where& w, UserRecord* u) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
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
          return r.Members(v, fw, [&](std::string_view k, od::value& av, const Where& aw) {
            if (k != "lastSignInDateTime" && k != "lastNonInteractiveSignInDateTime") {
              return r.Check(av, aw);
            }
            std::optional<TimeMs> t;
            VIGIL_RETURN_IF_ERROR(r.Time(av, aw, &t));
            if (t && (!u->last_sign_in || *t > *u->last_sign_in)) u->last_sign_in = t;
            return Status::Ok();
          });
        }
        if (key == "assignedLicenses") {
          return r.ObjectElements(v, fw, [&](od::object& lic, const Where& lw) -> Status {
            std::string_view sku_id;
            VIGIL_RETURN_IF_ERROR(
                r.Fields(lic, lw, [&](std::string_view k, od::value& lv, const Where& kw) {
                  if (k == "skuId") return r.StringView(lv, kw, &sku_id);
                  return r.Check(lv, kw);
                }));
            if (sku_id.empty()) return r.Missing(lw, "skuId");
            u->sku_ids.emplace_back(sku_id);
            return Status::Ok();
          });
        }
        return r.Check(v, fw);
      }));
  if (u->id.empty()) return r.Missing(w, "id");
  if (u->sku_ids.size() > 1) SortUnique(&u->sku_ids);
  return Status::Ok();
}

Status ParseSku(const Reader& r, od::object& obj, const Where& w, SkuRecord* s) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "skuId") return r.String(v, fw, &s->id);
        if (key == "skuPartNumber") return r.String(v, fw, &s->part_number);
        if (key == "consumedUnits") return r.Int(v, fw, &s->consumed_units);
        if (key == "prepaidUnits") {
          return r.Members(v, fw, [&](std::string_view k, od::value& uv, const Where& uw) {
            if (k == "enabled") return r.Int(uv, uw, &s->enabled_units);
            return r.Check(uv, uw);
          });
        }
        return r.Check(v, fw);
      }));
  if (s->id.empty()) return r.Missing(w, "skuId");
  return Status::Ok();
}

Status ParseRegistration(const Reader& r, od::object& obj, const Where& w,
                         RegistrationRecord* reg) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &reg->user_id);
        if (key == "userPrincipalName") return r.String(v, fw, &reg->upn);
        if (key == "isMfaRegistered") {
          std::optional<bool> b;
          VIGIL_RETURN_IF_ERROR(r.Bool(v, fw, &b));
          reg->mfa_registered = b.value_or(false);
          return Status::Ok();
        }
        if (key == "methodsRegistered") return r.StringArray(v, fw, &reg->methods);
        return r.Check(v, fw);
      }));
  if (reg->user_id.empty()) return r.Missing(w, "id");
  SortStrings(&reg->methods);
  return Status::Ok();
}

Status ParseAssignment(const Reader& r, od::object& obj, const Where& w, RoleAssignmentRecord* a) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &a->id);
        if (key == "roleDefinitionId") return r.String(v, fw, &a->role_id);
        if (key == "principalId") return r.String(v, fw, &a->principal_id);
        if (key == "principal") {
          return r.Members(v, fw, [&](std::string_view k, od::value& pv, const Where& pw) {
            if (k != "@odata.type") return r.Check(pv, pw);
            std::string_view type;
            VIGIL_RETURN_IF_ERROR(r.StringView(pv, pw, &type));
            a->principal_is_user = type.empty() || EqualsIgnoreCase(type, "#microsoft.graph.user");
            return Status::Ok();
          });
        }
        return r.Check(v, fw);
      }));
  if (a->id.empty()) return r.Missing(w, "id");
  if (a->role_id.empty()) return r.Missing(w, "roleDefinitionId");
  if (a->principal_id.empty()) return r.Missing(w, "principalId");
  return Status::Ok();
}

// conditions of a policy: clientAppTypes and users.includeUsers.
Status ParseConditions(const Reader& r, od::value& v, const Where& w, PolicyRecord* p) {
  return r.Members(v, w, [&](std::string_view k, od::value& cv, const Where& cw) -> Status {
    if (k == "clientAppTypes") return r.StringArray(cv, cw, &p->client_app_types);
    if (k != "users") return r.Check(cv, cw);
    return r.Members(cv, cw, [&](std::string_view uk, od::value& uv, const Where& uw) {
      if (uk != "includeUsers") return r.Check(uv, uw);
      std::vector<std::string> include;
      VIGIL_RETURN_IF_ERROR(r.StringArray(uv, uw, &include));
      p->all_users = std::any_of(include.begin(), include.end(),
                                 [](const std::string& s) { return EqualsIgnoreCase(s, "All"); });
      return Status::Ok();
    });
  });
}

Status ParsePolicy(const Reader& r, od::object& obj, const Where& w, PolicyRecord* p) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &p->id);
        if (key == "displayName") return r.String(v, fw, &p->name);
        if (key == "state") return r.String(v, fw, &p->state);
        if (key == "conditions") return ParseConditions(r, v, fw, p);
        if (key == "grantControls") {
          return r.Members(v, fw, [&](std::string_view k, od::value& gv, const Where& gw) {
            if (k != "builtInControls") return r.Check(gv, gw);
            return r.StringArray(gv, gw, &p->built_in_controls);
          });
        }
        return r.Check(v, fw);
      }));
  if (p->id.empty()) return r.Missing(w, "id");
  SortStrings(&p->client_app_types);
  SortStrings(&p->built_in_controls);
  return Status::Ok();
}

Status ParseGroup(const Reader& r, od::object& obj, const Where& w, GroupRecord* g) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &g->id);
        if (key == "displayName") return r.String(v, fw, &g->display_name);
        if (key == "securityEnabled") {
          std::optional<bool> b;
          VIGIL_RETURN_IF_ERROR(r.Bool(v, fw, &b));
          g->security_enabled = b.value_or(false);
          return Status::Ok();
        }
        return r.Check(v, fw);
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
      [&](od::object& obj, const Where& w) -> Status {
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
  return r.Document(body, options, [&](od::object& root, const Where& w) -> Status {
    bool seen = false;
    VIGIL_RETURN_IF_ERROR(
        r.Fields(root, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
          if (key != "isEnabled") return r.Check(v, fw);
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
