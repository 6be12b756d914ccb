// A `microsoft365` data source's settings, as `vigil source add` stores
// them, turned into the provider's options: the one place that unseals the
// client secret.
//
//   {"tenant_id": "contoso.onmicrosoft.com", "client_id": "<GUID>",
//    "client_secret": "sbox1:...", "cloud": "usgov",
//    "authority_url": "...", "graph_url": "..."}
//
// cloud, authority_url and graph_url are optional: the URLs are the cloud's
// (providers/graph_cloud.h; Microsoft's global cloud without one), and a
// stored URL is used as it is (`source add --cloud` stores the cloud's own;
// without --cloud they point elsewhere, e.g. tests at a fake).
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "providers/microsoft365_provider.h"
#include "store/db.h"
#include "store/tenants.h"

namespace vigil {

// The options for `source`. InvalidArgument naming the data source and the
// setting when one is missing or not a string, or the cloud is unknown; the
// secret key's error
// (store/secret_box.h LoadSecretKey: how to provide a key) when there is no
// key; InvalidArgument when the secret does not unseal with it. The
// credentials hold the plain secret: the caller must not log them.
Result<Microsoft365Options> Microsoft365OptionsOf(const DataSourceRow& source,
                                                  const nlohmann::json& settings);

}  // namespace vigil
