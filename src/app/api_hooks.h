// The ApiHooks (api/api_env.h) of `vigil serve`: what the API does through
// the app because it names concrete providers.
//
//   add_source   POST /api/v1/sources: the body is checked and the data
//                source stored as `vigil source add` does it (pipeline/source_add.h),
//                fields named by their JSON keys; the client secret comes in
//                the body ("client_secret") instead of a file. The tenant is
//                the one the route resolved (it must exist). Errors:
//                InvalidArgument (400) naming the field: an unknown field, a
//                field that is not a string, what CheckSourceSpec refuses, a
//                missing directory, an empty or multi-line secret;
//                FailedPrecondition (409) with LoadSecretKey's message when the
//                server has no usable secret key, or when a data source of that
//                name exists with another provider; the database's error.
//   test_source  POST /api/v1/sources/{id}/test: pipeline/source_check.h's check,
//                as SourceCheckJson. FailedPrecondition (409) for a source that
//                is not microsoft365; the settings' errors otherwise.
//
// readiness is left empty: the caller adds its Redis and NATS checks.
//
// Thread safety: the hooks may run on many threads at once, each with its
// own Db. `clock` must outlive the hooks.
#pragma once

#include "api/api_env.h"
#include "common/clock.h"

namespace vigil {

ApiHooks MakeApiHooks(const Clock* clock);

}  // namespace vigil
