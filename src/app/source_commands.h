// The data-source commands: `vigil key generate`, `vigil source add` and
// `vigil sources` (cmd_key.cc, cmd_source.cc), and `vigil source test`
// (cmd_source_check.cc); each file also registers its command's flags,
// which fill these option structs (cli_commands.h).
// Each Run function returns the process exit status (commands.h: 0 ok, 1 the
// operation failed, 2 bad usage) and writes results to `out`, errors to
// `err` prefixed "vigil: ". None of them ever prints a client secret or a key.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "app/commands.h"  // kExitOk, kExitFailed, kExitUsage

namespace vigil {

// `vigil key generate --out FILE`: writes a new random secret key (base64,
// mode 0600). Refuses to overwrite an existing file.
struct KeyGenerateCommand {
  std::string out;
};
int RunKeyGenerate(const KeyGenerateCommand& cmd, std::ostream& out, std::ostream& err);

// `vigil source add`: creates the data source `name` of `tenant` (and the
// tenant when new), or updates the settings of the existing one, and its
// sync schedule. Prints the data source id on `out`, what it did on `err`.
//   microsoft365: tenant_id, client_id and client_secret_file are required;
//                 the secret is sealed with the secret key (store/secret_box.h);
//                 cloud, or authority_url/graph_url, say where the tenant lives
//   graph_json:   dir is required
// Every flag is checked, the key loaded and the secret read before the
// database is touched; the writes happen in one transaction (pipeline/source_add.h
// does this for the CLI and for POST /api/v1/sources alike).
struct SourceAddCommand {
  std::string db = "vigil.db";
  std::string tenant;
  std::string provider;
  std::string name;  // empty: "microsoft365" for microsoft365, "graph" for graph_json
  std::string tenant_id;
  std::string client_id;
  std::string client_secret_file;
  std::string cloud;          // a preset (providers/graph_cloud.h); excludes the URLs
  std::string authority_url;  // empty: the cloud's (global when no cloud is given)
  std::string graph_url;      // empty: the cloud's (global when no cloud is given)
  std::string dir;
  std::string customer_id;               // google_workspace
  std::string admin_email;               // google_workspace
  std::string service_account_key_file;  // google_workspace
  std::string token_url;                 // google_workspace: empty for the key's token_uri
  std::string api_url;                   // google_workspace: empty for Google's
  std::string licensing_url;             // google_workspace: empty for Google's
  std::string every;  // empty: 1h for a new data source, unchanged for an existing one
};
int RunSourceAdd(const SourceAddCommand& cmd, std::ostream& out, std::ostream& err);

// `vigil sources`: one row per data source (of `tenant`, or of every tenant)
// with its settings (secrets shown as "(sealed)"), schedule, last sync and
// the kinds of data it could not give, with the reasons. With --json, an
// array of (stable keys; api/source_json.h, also the API's JSON of a source):
//   {"id", "tenant", "name", "provider", "settings": {...},
//    "schedule": {"every", "window", "enabled", "next_run_at"} | null,
//    "last_sync": {"at", "status", "error"} | null,
//    "not_available": [{"kind", "reason", "checked_at"}]}
// Fails (exit 1) naming an unknown --tenant.
struct SourcesCommand {
  std::string db = "vigil.db";
  std::string tenant;
  bool json = false;
};
int RunSources(const SourcesCommand& cmd, std::ostream& out, std::ostream& err);

// `vigil source test ID` (cmd_source_check.cc): for a microsoft365 data
// source, gets a token, then sends one small Graph request per endpoint of
// the directory table and prints one line per check ("ok", or MISSING with
// the application permission it needs and Graph's answer). Exit 0 when every
// required check passes, 1 otherwise or when the source cannot be read.
// pipeline/source_check.h runs the checks (also for POST /api/v1/sources/{id}/test).
struct SourceTestCommand {
  std::string db = "vigil.db";
  int64_t id = 0;
};
int RunSourceTest(const SourceTestCommand& cmd, std::ostream& out, std::ostream& err);

}  // namespace vigil
