// A `google_workspace` data source's settings, as `vigil source add` stores
// them, turned into the provider's options: the one place that unseals the
// service account key.
//
//   {"customer_id": "C01234567", "admin_email": "admin@example.com",
//    "service_account_key": "sbox1:...", "products": ["Google-Apps"],
//    "token_url": "...", "api_url": "...", "licensing_url": "..."}
//
// customer_id, products and the URLs are optional ("" customer: my_customer;
// no products: Google-Apps; URLs: Google's own, the token URL the key's
// token_uri); tests point the URLs at a fake. service_account_key is the key
// file's JSON sealed with store/secret_box.h, as a client secret is.
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "providers/google_workspace_provider.h"
#include "store/tenants.h"

namespace vigil {

// InvalidArgument naming the data source and the setting when one is missing
// or of the wrong type, or the unsealed key is not a service account key; the
// secret key's error when there is no key; InvalidArgument when the key does
// not unseal. The options hold the plain key: the caller must not log them.
Result<GoogleWorkspaceOptions> GoogleWorkspaceOptionsOf(const DataSourceRow& source,
                                                        const nlohmann::json& settings);

}  // namespace vigil
