// Provider openers for the pipeline's tests (tests only): the binary's
// wiring (app/provider_factory.h) maps every provider name; these open
// graph_json data sources only, with the real graph_json provider.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "pipeline/provider_opener.h"
#include "providers/graph_dir_provider.h"

namespace vigil::testing {

// A DirectoryOpener: the graph_json provider over `dir`.
inline Result<std::unique_ptr<Provider>> OpenDirectory(const std::string& dir) {
  return NewGraphDirProvider(dir);
}

// A ProviderOpener for graph_json data sources ({"dir": "..."}); any other
// provider is InvalidArgument naming it.
inline Result<std::unique_ptr<Provider>> OpenDirectorySource(const DataSourceRow& source,
                                                             const ProviderContext&) {
  if (source.provider != "graph_json") {
    return Status::InvalidArgument("the tests' provider opener opens graph_json only, not " +
                                   source.provider);
  }
  nlohmann::json settings = nlohmann::json::parse(source.settings, nullptr, false);
  if (!settings.is_object() || !settings.contains("dir") || !settings["dir"].is_string()) {
    return Status::InvalidArgument("data source \"" + source.name + "\": no \"dir\" setting");
  }
  return NewGraphDirProvider(settings["dir"].get<std::string>());
}

}  // namespace vigil::testing
