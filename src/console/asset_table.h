// The table of embedded console assets, defined in the source that
// cmake/embed_web.cmake generates into the build tree. Internal to
// console/assets.cc (and that generated source): everyone else asks
// console/assets.h.
#pragma once

#include <span>

#include "console/assets.h"

namespace vigil {

// Every asset, sorted by plain name; index.html among them.
std::span<const ConsoleAsset> EmbeddedConsoleAssets();

}  // namespace vigil
