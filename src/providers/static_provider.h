// A provider that answers a fixed Snapshot. For tests, and for `vigil demo`,
// which syncs a generated tenant, remediates a copy of it and syncs again.
#pragma once

#include <memory>
#include <string>

#include "providers/provider.h"
#include "providers/snapshot.h"

namespace vigil {

// Every Fetch returns a copy of `snapshot`; name() returns `name`.
std::unique_ptr<Provider> NewStaticProvider(std::string name, Snapshot snapshot);

}  // namespace vigil
