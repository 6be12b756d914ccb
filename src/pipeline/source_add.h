// The core of `vigil source add` (app/cmd_source.cc) and of POST
// /api/v1/sources (api/source_create.h): checking what describes a data
// source, sealing its client secret and storing it with its sync schedule.
// The CLI names the fields by their flags ("--tenant-id"), the API by its
// JSON keys ("tenant_id"); the messages are otherwise the same.
//
// The steps run in this order so that nothing is written when anything is
// wrong: CheckSourceSpec (no environment needed), SourceSettings (the
// directory, the secret key, the secret), StoreDataSource (one transaction).
//
// Thread safety: CheckSourceSpec and FieldName are pure; SourceSettings
// reads the environment; StoreDataSource as the Db's.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "queue/schedules.h"
#include "store/db.h"
#include "store/tenants.h"

namespace vigil {

inline constexpr const char* kMicrosoft365Provider = "microsoft365";
inline constexpr const char* kGraphJsonProvider = "graph_json";
inline constexpr const char* kGoogleWorkspaceProvider = "google_workspace";
inline constexpr const char* kGoogleJsonProvider = "google_json";

// How messages name a field.
enum class FieldStyle {
  kFlags,     // "--tenant-id", "--client-secret-file"
  kJsonKeys,  // "tenant_id", "client_secret"
};

// The name of `field` (a SourceSpec member: "tenant", "tenant_id",
// "client_secret", ...) in `style`.
std::string FieldName(FieldStyle style, std::string_view field);

// A data source as the caller describes it; empty means "not given".
struct SourceSpec {
  std::string tenant;              // the tenant's name
  std::string provider;            // kMicrosoft365Provider or kGraphJsonProvider
  std::string name;                // empty: "microsoft365" for microsoft365, "graph" for
                                   // graph_json, "google" for google_json
  std::string tenant_id;           // microsoft365: the directory's GUID or domain
  std::string client_id;           // microsoft365: the app registration's GUID or domain
  bool has_client_secret = false;  // microsoft365: a secret was given (read by SourceSettings)
  std::string cloud;               // microsoft365: a preset of providers/graph_cloud.h, or empty
  std::string authority_url;       // microsoft365: empty for the cloud's (global by default)
  std::string graph_url;           // microsoft365: empty for the cloud's (global by default)
  std::string dir;                 // graph_json, google_json: the directory of answers
  std::string customer_id;         // google_workspace: "" = my_customer
  std::string admin_email;         // google_workspace: the administrator to act as
  bool has_service_account_key = false;  // google_workspace: a key file was given
  std::string token_url;           // google_workspace: empty for the key's token_uri
  std::string api_url;             // google_workspace: empty for Google's Admin SDK
  std::string licensing_url;       // google_workspace: empty for Google's License Manager
  std::string every;  // a duration ("15m"); empty: 1h when new, unchanged when it exists
};

struct CheckedSource {
  std::string name;         // the data source's name (the default when none was given)
  int64_t every_ms = 0;     // 0 when spec.every is empty
  nlohmann::json settings;  // microsoft365: ids, cloud and URLs (no secret yet); graph_json: {}
};

// Checks everything that needs neither the file system nor the secret key.
// InvalidArgument naming the first field that is wrong, in this order: the
// tenant name, the provider, the data source name, every (a duration of at
// least 1m), then the provider's fields: the required ones missing, the ones
// it does not take, the ids (a GUID or a domain), the cloud, the URLs
// (https://, or http:// for a loopback host only), e.g.
//   "--provider microsoft365 needs --tenant-id, --client-secret-file"
//   "tenant_id: \"x\" is neither a GUID (8-4-4-4-12 hex digits) nor a domain ..."
//   "--cloud: unknown cloud \"gov\" (known: global, usgov, usgovdod, china)"
// A cloud sets the authority and Graph URLs together, so it excludes them:
// the URLs are for other endpoints (a proxy, a test's fake), and a token of
// one cloud is no use at another's Graph. Both given is refused:
//   "--cloud and --graph-url exclude each other: --cloud usgov sets the
//    authority and Graph URLs itself; give --authority-url and --graph-url
//    without --cloud for other endpoints"
// The settings of a cloud hold its name and both URLs ("cloud",
// "authority_url", "graph_url"), so `vigil sources` shows where the data
// source reads from.
Result<CheckedSource> CheckSourceSpec(const SourceSpec& spec, FieldStyle style);

// The interval of `every` in ms (0 when empty), named `field` in messages:
// InvalidArgument "<field>: <why>" when it is not a duration or is below 1m.
Result<int64_t> ScheduleInterval(const std::string& every, const std::string& field);

// The settings text to store for a checked spec. graph_json and
// google_json: the directory must exist (InvalidArgument "<dir> PATH: no
// such directory"); it is stored absolute. microsoft365: the secret key is loaded (store/secret_box.h
// LoadSecretKey; FailedPrecondition with its message when there is no usable
// key), then `read_secret` is called for the plain secret, which is sealed
// and scrubbed; read_secret's error is returned as it is.
Result<std::string> SourceSettings(const SourceSpec& spec, const CheckedSource& checked,
                                   FieldStyle style,
                                   const std::function<Result<std::string>()>& read_secret);

struct StoredSource {
  DataSourceRow source;
  bool existed = false;           // a data source of that name existed
  bool settings_changed = false;  // ... and its settings were different
  Schedule schedule;              // its schedule now
};

// Writes the tenant (created when new), the data source (its settings
// replaced when it exists) and its schedule in one transaction. A new data
// source's schedule runs every `every_ms` (kDefaultScheduleIntervalMs when
// 0) from `now`; an existing one's changes only when every_ms is another
// non-zero interval. InvalidArgument when a data source of that name exists
// with another provider; the database's error otherwise.
Result<StoredSource> StoreDataSource(Db* db, const std::string& tenant_name,
                                     const std::string& name, const std::string& provider,
                                     const std::string& settings, int64_t every_ms, TimeMs now);

}  // namespace vigil
