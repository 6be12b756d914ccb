#include "providers/graph_reader.h"

#include <utility>

namespace vigil::graph_json {

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

Status Reader::Fail(const Where* w, std::string_view message) const {
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

Status Reader::Malformed(simdjson::error_code e, const Where* w) const {
  return Fail(w, std::string("malformed JSON: ") + simdjson::error_message(e));
}

Status Reader::Missing(const Where& w, std::string_view field) const {
  return Fail(&w, "missing required field \"" + std::string(field) + "\"");
}

Status Reader::Check(od::value& v, const Where& w, int depth) const {
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
      return Elements(v, w,
                      [&](od::value& ev, const Where& ew) { return Check(ev, ew, depth + 1); });
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

Status Reader::Bad(simdjson::error_code e, od::value& v, const Where& w,
                   std::string_view expected) const {
  if (e != simdjson::INCORRECT_TYPE && e != simdjson::NUMBER_OUT_OF_RANGE) {
    return Malformed(e, &w);
  }
  VIGIL_RETURN_IF_ERROR(Check(v, w));
  return Fail(&w, "expected " + std::string(expected));
}

Status Reader::NullOr(simdjson::error_code e, od::value& v, const Where& w,
                      std::string_view expected) const {
  bool null = false;
  if (e == simdjson::INCORRECT_TYPE && !v.is_null().get(null) && null) return Status::Ok();
  return Bad(e, v, w, expected);
}

Status Reader::StringView(od::value& v, const Where& w, std::string_view* out) const {
  if (auto e = v.get_string().get(*out); e) {
    *out = {};
    return NullOr(e, v, w, "string");
  }
  return Status::Ok();
}

Status Reader::String(od::value& v, const Where& w, std::string* out) const {
  std::string_view s;
  VIGIL_RETURN_IF_ERROR(StringView(v, w, &s));
  out->assign(s.data(), s.size());
  return Status::Ok();
}

Status Reader::Bool(od::value& v, const Where& w, std::optional<bool>* out) const {
  bool b = false;
  if (auto e = v.get_bool().get(b); e) {
    out->reset();
    return NullOr(e, v, w, "boolean");
  }
  *out = b;
  return Status::Ok();
}

Status Reader::Int(od::value& v, const Where& w, int64_t* out) const {
  if (auto e = v.get_int64().get(*out); e) {
    *out = 0;
    return NullOr(e, v, w, "integer");
  }
  return Status::Ok();
}

Status Reader::Time(od::value& v, const Where& w, std::optional<TimeMs>* out) const {
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

}  // namespace vigil::graph_json
