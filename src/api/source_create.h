// POST /api/v1/sources: the request body read into a data source
// description and added as `vigil source add` adds one
// (pipeline/source_add.h), with the fields named by their JSON keys and the
// client secret in the body ("client_secret") instead of a file.
//
// google_workspace takes admin_email, customer_id (optional), token_url,
// api_url, licensing_url (optional) and service_account_key: the service
// account's JSON key file, as its text in a string or as the object itself.
// It is checked as `vigil source add --service-account-key-file` checks the
// file (providers/google_jwt.h ParseServiceAccountKey, the messages naming
// "service_account_key"), sealed, scrubbed, and never shown.
//
// Thread safety: as the Db's; CreateSourceFromBody reads the environment
// (the secret key).
#pragma once

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"
#include "store/tenants.h"

namespace vigil {

// Creates (or updates) the data source `body` describes for `tenant` (which
// exists: the route resolved it). Errors: InvalidArgument (400) naming the
// field: an unknown field, a field that is not a string, what
// CheckSourceSpec refuses, a missing directory, an empty or multi-line
// secret, an empty key, a key that is not a service account key ("service_account_key:
// \"type\" must be \"service_account\"" ...) or neither a string nor an object; FailedPrecondition (409) with LoadSecretKey's message when the
// server has no usable secret key, or when a data source of that name
// exists with another provider; the database's error. Nothing is written
// on failure. The secret is scrubbed from memory once sealed.
Result<DataSourceRow> CreateSourceFromBody(Db* db, const Clock& clock, const TenantRow& tenant,
                                           const nlohmann::json& body);

}  // namespace vigil
