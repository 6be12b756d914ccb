#include "providers/entity_codec.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "common/json_writer.h"

namespace vigil {
namespace {

namespace od = simdjson::ondemand;

// ---- Decoding --------------------------------------------------------------

// Decodes the attributes of one entity; errors name kind, id and member.
class Decoder {
 public:
  Decoder(std::string_view kind, std::string_view id) : kind_(kind), id_(id) {}

  Status Fail(std::string_view key, std::string_view message) const {
    std::string text(kind_);
    text.append(" \"").append(id_).append("\": attributes: ");
    if (!key.empty()) text.append(key).append(": ");
    text.append(message);
    return Status::InvalidArgument(std::move(text));
  }
  Status Malformed(simdjson::error_code e) const {
    return Fail({}, std::string("malformed JSON: ") + simdjson::error_message(e));
  }

  // Parses `attributes` as an object and calls f(key, value) per member.
  // On Demand suits these small documents best: no tape is built.
  template <typename F>
  Status Object(std::string_view attributes, F&& f) const {
    thread_local od::parser parser;
    thread_local std::string buffer;
    buffer.resize(attributes.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(buffer.data(), attributes.data(), attributes.size());
    od::document doc;
    if (auto e = parser.iterate(buffer.data(), attributes.size(), buffer.size()).get(doc); e) {
      return Malformed(e);
    }
    od::object obj;
    if (auto e = doc.get_object().get(obj); e) {
      return e == simdjson::INCORRECT_TYPE ? Fail({}, "expected a JSON object") : Malformed(e);
    }
    for (auto member : obj) {
      od::field field;
      if (auto e = std::move(member).get(field); e) return Malformed(e);
      std::string_view key;
      if (auto e = field.unescaped_key().get(key); e) return Malformed(e);
      VIGIL_RETURN_IF_ERROR(f(key, field.value()));
    }
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
      return Fail({}, "malformed JSON: unexpected content after the object");
    }
    return Status::Ok();
  }

  Status String(od::value& v, std::string_view key, std::string* out) const {
    std::string_view s;
    if (auto e = v.get_string().get(s); e) return TypeError(e, key, "expected string");
    out->assign(s.data(), s.size());
    return Status::Ok();
  }
  Status Bool(od::value& v, std::string_view key, bool* out) const {
    if (auto e = v.get_bool().get(*out); e) return TypeError(e, key, "expected boolean");
    return Status::Ok();
  }
  Status Int(od::value& v, std::string_view key, int64_t* out) const {
    if (auto e = v.get_int64().get(*out); e) return TypeError(e, key, "expected integer");
    return Status::Ok();
  }
  Status OptionalInt(od::value& v, std::string_view key, std::optional<int64_t>* out) const {
    bool is_null = false;
    if (auto e = v.is_null().get(is_null); e) return Malformed(e);
    if (is_null) {
      out->reset();
      return Status::Ok();
    }
    int64_t i = 0;
    VIGIL_RETURN_IF_ERROR(Int(v, key, &i));
    *out = i;
    return Status::Ok();
  }
  Status Strings(od::value& v, std::string_view key, std::vector<std::string>* out) const {
    out->clear();
    od::array array;
    if (auto e = v.get_array().get(array); e) return TypeError(e, key, "expected array");
    for (auto element : array) {
      std::string_view s;
      if (auto e = std::move(element).get_string().get(s); e) {
        return TypeError(e, key, "expected array of strings");
      }
      out->emplace_back(s);
    }
    return Status::Ok();
  }

 private:
  // A wrong type is the caller's problem; anything else is malformed JSON.
  Status TypeError(simdjson::error_code e, std::string_view key, std::string_view message) const {
    return e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_OUT_OF_RANGE ? Fail(key, message)
                                                                               : Malformed(e);
  }

  std::string_view kind_;
  std::string_view id_;
};

bool IsSortedUnique(const std::vector<std::string>& v) {
  return std::adjacent_find(v.begin(), v.end(), [](const std::string& a, const std::string& b) {
           return !(a < b);
         }) == v.end();
}

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

std::string EncodeUser(const UserRecord& user) {
  JsonObjectWriter w(144 + user.upn.size() + user.display_name.size() + 40 * user.sku_ids.size());
  w.String("upn", user.upn);
  w.String("display_name", user.display_name);
  w.Bool("enabled", user.enabled);
  w.Bool("guest", user.guest);
  w.OptionalInt("created", user.created);
  w.OptionalInt("last_sign_in", user.last_sign_in);
  // Only when known: rows stored before the field existed stay byte-equal.
  if (user.last_successful_sign_in) {
    w.OptionalInt("last_successful_sign_in", user.last_successful_sign_in);
  }
  w.Strings("sku_ids", user.sku_ids);
  return w.Finish();
}

std::string EncodeSku(const SkuRecord& sku) {
  JsonObjectWriter w(96 + sku.part_number.size());
  w.String("part_number", sku.part_number);
  w.Int("enabled_units", sku.enabled_units);
  w.Int("consumed_units", sku.consumed_units);
  return w.Finish();
}

std::string EncodeRegistration(const RegistrationRecord& registration) {
  JsonObjectWriter w(96 + registration.upn.size() + 32 * registration.methods.size());
  w.String("upn", registration.upn);
  w.Bool("mfa_registered", registration.mfa_registered);
  w.Strings("methods", registration.methods);
  if (registration.mfa_enforced) w.Bool("mfa_enforced", *registration.mfa_enforced);
  return w.Finish();
}

std::string EncodeRole(const RoleRecord& role) {
  JsonObjectWriter w(48 + role.name.size());
  w.String("name", role.name);
  w.Bool("global_admin", role.global_admin);
  return w.Finish();
}

std::string EncodePolicy(const PolicyRecord& policy) {
  JsonObjectWriter w(160 + policy.name.size());
  w.String("name", policy.name);
  w.String("state", policy.state);
  w.Bool("all_users", policy.all_users);
  w.Strings("client_app_types", policy.client_app_types);
  w.Strings("built_in_controls", policy.built_in_controls);
  return w.Finish();
}

std::string EncodeSecurityDefaults(const SecurityDefaultsRecord& defaults) {
  JsonObjectWriter w(24);
  w.Bool("enabled", defaults.enabled);
  return w.Finish();
}

std::string EncodeGroup(const GroupRecord& group) {
  JsonObjectWriter w(64 + group.display_name.size() + 40 * group.member_ids.size());
  w.String("display_name", group.display_name);
  w.Bool("security_enabled", group.security_enabled);
  // Only when there are members: rows stored before groups had members stay
  // byte-equal. Sorted and unique, whoever made the record.
  if (!group.member_ids.empty()) {
    const std::vector<std::string>& ids = group.member_ids;
    if (IsSortedUnique(ids)) {
      w.Strings("member_ids", ids);
    } else {
      std::vector<std::string> sorted = ids;
      SortUnique(&sorted);
      w.Strings("member_ids", sorted);
    }
  }
  return w.Finish();
}

Status DecodeUser(std::string_view id, std::string_view attributes, UserRecord* out) {
  out->id.assign(id.data(), id.size());
  out->upn.clear();
  out->display_name.clear();
  out->enabled = true;
  out->guest = false;
  out->created.reset();
  out->last_sign_in.reset();
  out->last_successful_sign_in.reset();
  out->sku_ids.clear();
  const Decoder d("user", id);
  const Status s = d.Object(attributes, [&](std::string_view key, od::value& v) -> Status {
    if (key == "upn") return d.String(v, key, &out->upn);
    if (key == "display_name") return d.String(v, key, &out->display_name);
    if (key == "enabled") return d.Bool(v, key, &out->enabled);
    if (key == "guest") return d.Bool(v, key, &out->guest);
    if (key == "created") return d.OptionalInt(v, key, &out->created);
    if (key == "last_sign_in") return d.OptionalInt(v, key, &out->last_sign_in);
    if (key == "last_successful_sign_in") {
      return d.OptionalInt(v, key, &out->last_successful_sign_in);
    }
    if (key == "sku_ids") return d.Strings(v, key, &out->sku_ids);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  // Sorted and unique as records.h promises, whoever wrote the row (rows
  // rewritten by migration 6 are ordered by the database).
  if (!std::is_sorted(out->sku_ids.begin(), out->sku_ids.end())) {
    std::sort(out->sku_ids.begin(), out->sku_ids.end());
  }
  out->sku_ids.erase(std::unique(out->sku_ids.begin(), out->sku_ids.end()), out->sku_ids.end());
  return Status::Ok();
}

Status DecodeSku(std::string_view id, std::string_view attributes, SkuRecord* out) {
  *out = SkuRecord();
  out->id.assign(id.data(), id.size());
  const Decoder d("sku", id);
  return d.Object(attributes, [&](std::string_view key, od::value& v) -> Status {
    if (key == "part_number") return d.String(v, key, &out->part_number);
    if (key == "enabled_units") return d.Int(v, key, &out->enabled_units);
    if (key == "consumed_units") return d.Int(v, key, &out->consumed_units);
    return Status::Ok();
  });
}

Status DecodeRegistration(std::string_view id, std::string_view attributes,
                          RegistrationRecord* out) {
  out->user_id.assign(id.data(), id.size());
  out->upn.clear();
  out->mfa_registered = false;
  out->methods.clear();
  out->mfa_enforced.reset();
  const Decoder d("registration", id);
  return d.Object(attributes, [&](std::string_view key, od::value& v) -> Status {
    if (key == "upn") return d.String(v, key, &out->upn);
    if (key == "mfa_registered") return d.Bool(v, key, &out->mfa_registered);
    if (key == "methods") return d.Strings(v, key, &out->methods);
    if (key == "mfa_enforced") {
      bool enforced = false;
      VIGIL_RETURN_IF_ERROR(d.Bool(v, key, &enforced));
      out->mfa_enforced = enforced;
      return Status::Ok();
    }
    return Status::Ok();
  });
}

Status DecodeRole(std::string_view id, std::string_view attributes, RoleRecord* out) {
  *out = RoleRecord();
  out->id.assign(id.data(), id.size());
  const Decoder d("role", id);
  return d.Object(attributes, [&](std::string_view key, od::value& v) -> Status {
    if (key == "name") return d.String(v, key, &out->name);
    if (key == "global_admin") return d.Bool(v, key, &out->global_admin);
    return Status::Ok();
  });
}

Status DecodePolicy(std::string_view id, std::string_view attributes, PolicyRecord* out) {
  *out = PolicyRecord();
  out->id.assign(id.data(), id.size());
  const Decoder d("policy", id);
  return d.Object(attributes, [&](std::string_view key, od::value& v) -> Status {
    if (key == "name") return d.String(v, key, &out->name);
    if (key == "state") return d.String(v, key, &out->state);
    if (key == "all_users") return d.Bool(v, key, &out->all_users);
    if (key == "client_app_types") return d.Strings(v, key, &out->client_app_types);
    if (key == "built_in_controls") return d.Strings(v, key, &out->built_in_controls);
    return Status::Ok();
  });
}

Status DecodeSecurityDefaults(std::string_view id, std::string_view attributes,
                              SecurityDefaultsRecord* out) {
  *out = SecurityDefaultsRecord();
  const Decoder d("setting", id);
  return d.Object(attributes, [&](std::string_view key, od::value& v) -> Status {
    if (key == "enabled") return d.Bool(v, key, &out->enabled);
    return Status::Ok();
  });
}

Status DecodeGroup(std::string_view id, std::string_view attributes, GroupRecord* out) {
  *out = GroupRecord();
  out->id.assign(id.data(), id.size());
  const Decoder d("group", id);
  const Status s = d.Object(attributes, [&](std::string_view key, od::value& v) -> Status {
    if (key == "display_name") return d.String(v, key, &out->display_name);
    if (key == "security_enabled") return d.Bool(v, key, &out->security_enabled);
    if (key == "member_ids") return d.Strings(v, key, &out->member_ids);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!IsSortedUnique(out->member_ids)) SortUnique(&out->member_ids);
  return Status::Ok();
}

}  // namespace vigil
