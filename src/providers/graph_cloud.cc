#include "providers/graph_cloud.h"

namespace vigil {
namespace {

constexpr GraphCloud kClouds[] = {
    {"global", "https://login.microsoftonline.com", "https://graph.microsoft.com/v1.0"},
    {"usgov", "https://login.microsoftonline.us", "https://graph.microsoft.us/v1.0"},
    {"usgovdod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us/v1.0"},
    {"china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/v1.0"},
};

}  // namespace

const GraphCloud* FindGraphCloud(std::string_view name) {
  for (const GraphCloud& cloud : kClouds) {
    if (name == cloud.name) return &cloud;
  }
  return nullptr;
}

std::string GraphCloudNames() {
  std::string names;
  for (const GraphCloud& cloud : kClouds) {
    if (!names.empty()) names += ", ";
    names += cloud.name;
  }
  return names;
}

}  // namespace vigil
