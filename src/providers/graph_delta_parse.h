// Parser of a page of Microsoft Graph's /users/delta.
//
// A delta page is a `{"value":[...]}` body like /users, whose entries are
// either users created or changed since the delta link was issued (with the
// selected properties: Graph returns the current value of every selected
// property that was ever set, unless the request asked for
// "Prefer: return=minimal", which vigil does not), or removed users:
// `{"id":"...","@removed":{"reason":"changed"|"deleted"}}`.
//
// Thread-safe (graph_parse.h's parsers, and a per-thread parser).
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "providers/graph_parse.h"
#include "providers/records.h"

namespace vigil {

struct UserDeltaEntry {
  UserRecord user;       // parsed as ParseUsers does; only `id` is meaningful when removed
  bool removed = false;  // the entry carries a non-null "@removed"
};

// The entries of one delta page, in order. Errors are those of ParseUsers
// (InvalidArgument naming `file_name` and the position), and
//   "<file_name>: value[2].@removed: expected object"
Status ParseUserDelta(std::string_view file_name, const simdjson::padded_string& body,
                      std::vector<UserDeltaEntry>* out, const GraphParseOptions& options = {});

}  // namespace vigil
