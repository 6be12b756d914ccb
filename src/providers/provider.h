// Provider: code that fetches one data source's objects as a Snapshot.
//
// Contract: Fetch returns a Snapshot in which every kind the provider knows of
// has an Availability entry. A kind the provider could not get (missing file,
// missing permission) is marked not available with the reason; that is a
// successful fetch. Fetch fails (non-OK Result) only when the data it did get
// is unusable: malformed or wrongly typed JSON, an unreadable file. The
// message then names the file or endpoint and the position, e.g.
// "users.json: value[3].accountEnabled: expected boolean".
// Implementations are not required to be thread-safe.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "providers/snapshot.h"

namespace vigil {

class Provider {
 public:
  virtual ~Provider() = default;
  // "graph_json", "synthetic", ...
  virtual std::string name() const = 0;
  virtual Result<Snapshot> Fetch() = 0;
};

}  // namespace vigil
