// The OpenAPI 3.0.3 document of vigil's HTTP API, served at
// GET /api/v1/openapi.json: every route of the table (api/routes.h) with its
// exact path pattern, method, path and query parameters, request body,
// responses (the error responses with their stable codes, api_types.h), and
// the bearerAuth security scheme (public routes declare `security: []`);
// the webhook's Vigil-Signature and Vigil-Delivery headers; schemas for
// Error, Tenant, Preferences, DataSource, Alert, HistoryEntry, Channel,
// ChannelInput, Notification, Job, TraceSpan and the list envelopes.
//
// openapi_test.cc checks the document against the router both ways (every
// route is documented, every documented operation is a route), so a route
// added without its documentation fails the tests.
//
// Built once, on first use; thread-safe.
#pragma once

#include <string_view>

namespace vigil {

// The document as JSON text; valid for the life of the process.
std::string_view OpenApiDocument();

}  // namespace vigil
