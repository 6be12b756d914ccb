// Reading the values of one Graph JSON file with simdjson On Demand, every
// error naming the file and the position ("users.json:
// value[3].accountEnabled: expected boolean"). The record parsers of
// graph_parse.cc and google_parse.cc are built on it; nothing else should
// need it.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "providers/graph_parse.h"

namespace vigil::graph_json {

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

// "value[3].accountEnabled", appended to `out`.
void RenderWhere(const Where* w, std::string* out);

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

  Status Fail(const Where* w, std::string_view message) const;

  Status Malformed(simdjson::error_code e, const Where* w = nullptr) const;

  Status Missing(const Where& w, std::string_view field) const;

  // Reads `v` whole, whatever it is: OK for well-formed JSON, otherwise the
  // malformation and where it is.
  Status Check(od::value& v, const Where& w, int depth = 0) const;

  // A read of `v` as `expected` failed with `e`: a well-formed value of
  // another type is "expected <type>", anything else is malformed.
  Status Bad(simdjson::error_code e, od::value& v, const Where& w, std::string_view expected) const;

  // A read of `v` as `expected` failed with `e`: OK when `v` is null (which
  // is then consumed), else Bad. Reading the type first and null after
  // saves a look at every value that has the type.
  Status NullOr(simdjson::error_code e, od::value& v, const Where& w,
                std::string_view expected) const;

  // A string; null -> "" (absent). The view lives as long as the document.
  Status StringView(od::value& v, const Where& w, std::string_view* out) const;

  Status String(od::value& v, const Where& w, std::string* out) const;

  // A boolean; null -> nullopt.
  Status Bool(od::value& v, const Where& w, std::optional<bool>* out) const;

  // An integer; null -> 0.
  Status Int(od::value& v, const Where& w, int64_t* out) const;

  // A timestamp; null, "" and "0001-01-01..." -> nullopt ("never").
  Status Time(od::value& v, const Where& w, std::optional<TimeMs>* out) const;

  // Calls f(key, value, where) for each member of the object `v`; null ->
  // none. f must read the value (Check it when unused).
  template <typename F>
  Status Members(od::value& v, const Where& w, F&& f) const {
    od::object object;
    if (auto e = v.get_object().get(object); e) return NullOr(e, v, w, "object");
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
    od::array array;
    if (auto e = v.get_array().get(array); e) return NullOr(e, v, w, "array");
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
            return ArrayElements(
                array, fw, [&](od::value& ev, const Where& ew) { return AsObject(ev, ew, f); });
          }));
      if (!seen) return Fail(nullptr, "missing required field \"value\"");
      return Status::Ok();
    });
  }

 private:
  std::string_view file_;
};

}  // namespace vigil::graph_json
