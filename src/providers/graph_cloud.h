// The Microsoft clouds a microsoft365 data source can live in. Each is a
// separate deployment of the identity platform and of Microsoft Graph: an
// app registration, its tenant and its tokens belong to one cloud, so the
// token endpoint and the Graph URL are always chosen together.
//
//   name       authority (token endpoint base)       Graph
//   global     https://login.microsoftonline.com     https://graph.microsoft.com/v1.0
//   usgov      https://login.microsoftonline.us      https://graph.microsoft.us/v1.0
//   usgovdod   https://login.microsoftonline.us      https://dod-graph.microsoft.us/v1.0
//   china      https://login.chinacloudapi.cn        https://microsoftgraph.chinacloudapi.cn/v1.0
//
// usgov is Microsoft 365 GCC High (US Government L4), usgovdod is DoD (L5);
// GCC (moderate) tenants are in the global cloud. china is the cloud
// operated by 21Vianet. The token's scope follows the Graph URL
// (providers/graph_client.h).
//
// Constant data; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

struct GraphCloud {
  const char* name;
  const char* authority_url;
  const char* graph_url;
};

// The cloud named `name` (exactly, lower case), or null.
const GraphCloud* FindGraphCloud(std::string_view name);

// "global, usgov, usgovdod, china": for messages and help.
std::string GraphCloudNames();

}  // namespace vigil
