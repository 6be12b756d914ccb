// `vigil key generate`, `vigil source add` and `vigil sources` as a user runs
// them: what they print, what they refuse, and that a client secret never
// shows up in clear text, not in the output and not in the database files.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "testing/scoped_env.h"
#include "app/cli_test_support.h"
#include "app/database.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/secret_box.h"
#include "store/tenants.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::Vigil;

constexpr const char* kSecret = "Xq8~s3cr3t.Value_That-Must-Not-Leak";
constexpr const char* kRotated = "Rotated~s3cr3t.Second_Value-Also-Hidden";
constexpr const char* kTenantGuid = "72f988bf-86f1-41af-91ab-2d7cd011db47";
constexpr const char* kClientGuid = "0b7a5c2e-4f1d-4c8a-9e3b-6d2f1a0c9b8e";

using testing::ScopedEnv;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class CliSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir();
    db_ = dir_ + "/vigil.db";
    key_file_ = dir_ + "/vigil.key";
    CliRun key = Vigil({"key", "generate", "--out", key_file_});
    ASSERT_EQ(key.status, 0) << key.err;
    key_file_env_.emplace(kSecretKeyFileEnv, key_file_);
    secret_file_ = WriteSecret("secret.txt", std::string(kSecret) + "\n");
  }

  std::string WriteSecret(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    testing::WriteFile(path, text);
    return path;
  }

  // `source add` of a microsoft365 source to contoso, with flags replaced or
  // added by `changes` (flag, value).
  std::vector<std::string> AddArgs(
      const std::string& secret_file,
      const std::vector<std::pair<std::string, std::string>>& changes = {}) {
    std::vector<std::pair<std::string, std::string>> flags = {
        {"--db", db_},
        {"--tenant", "contoso"},
        {"--provider", "microsoft365"},
        {"--tenant-id", kTenantGuid},
        {"--client-id", kClientGuid},
        {"--client-secret-file", secret_file}};
    for (const auto& change : changes) {
      auto it = std::find_if(flags.begin(), flags.end(),
                             [&change](const auto& f) { return f.first == change.first; });
      if (it != flags.end()) {
        it->second = change.second;
      } else {
        flags.push_back(change);
      }
    }
    std::vector<std::string> args = {"source", "add"};
    for (const auto& [flag, value] : flags) {
      args.push_back(flag);
      args.push_back(value);
    }
    return args;
  }

  // Every byte of the database and its journal files.
  std::string DatabaseBytes() {
    std::string bytes;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      if (entry.path().filename().string().rfind("vigil.db", 0) == 0) {
        bytes += ReadAll(entry.path().string());
      }
    }
    return bytes;
  }

  // The stored settings of data source `id`.
  nlohmann::json StoredSettings(int64_t id) {
    auto db = OpenDatabase(db_).value();
    return nlohmann::json::parse(GetDataSource(db.get(), id).value().settings);
  }

  std::string dir_, db_, key_file_, secret_file_;
  ScopedEnv no_key_{kSecretKeyEnv, std::nullopt};
  std::optional<ScopedEnv> key_file_env_;
};

TEST_F(CliSourceTest, KeyGenerateWritesAnOwnerOnlyKeyAndNeverOverwrites) {
  struct stat st {};
  ASSERT_EQ(::stat(key_file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  const std::string key = ReadAll(key_file_);
  EXPECT_EQ(key.size(), 45u);  // 32 bytes in base64, and a newline

  CliRun again = Vigil({"key", "generate", "--out", key_file_});
  EXPECT_EQ(again.status, 1);
  EXPECT_EQ(again.err, "vigil: --out " + key_file_ +
                           " exists already; not overwriting a key (secrets sealed with it could "
                           "no longer be opened)\n");
  EXPECT_EQ(ReadAll(key_file_), key);

  const std::string other = dir_ + "/other.key";
  CliRun fresh = Vigil({"key", "generate", "--out", other});
  ASSERT_EQ(fresh.status, 0) << fresh.err;
  EXPECT_EQ(fresh.out, "wrote a new secret key to " + other +
                           " (mode 0600)\nuse it with: export VIGIL_SECRET_KEY_FILE=" + other +
                           "\nkeep a copy somewhere safe: secrets sealed with a lost key must be "
                           "added again\n");
  EXPECT_NE(ReadAll(other), key);
  EXPECT_EQ(fresh.out.find(ReadAll(other).substr(0, 44)), std::string::npos);

  CliRun nowhere = Vigil({"key", "generate", "--out", dir_ + "/missing/dir/k"});
  EXPECT_EQ(nowhere.status, 1);
  EXPECT_EQ(nowhere.err,
            "vigil: --out " + dir_ + "/missing/dir/k: cannot create: No such file or directory\n");
}

TEST_F(CliSourceTest, AddSealsTheSecretPrintsTheIdAndSourcesListsIt) {
  CliRun add = Vigil(AddArgs(secret_file_, {{"--graph-url", "http://127.0.0.1:8080/v1.0/"}}));
  ASSERT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(add.out, "1\n");
  EXPECT_EQ(add.err.rfind("added data source \"microsoft365\" (microsoft365) of tenant "
                          "\"contoso\"; `vigil serve` syncs it every 1h, next at 20",
                          0),
            0u)
      << add.err;

  // Stored sealed, and the key opens it.
  const nlohmann::json settings = StoredSettings(1);
  EXPECT_EQ(settings["tenant_id"], kTenantGuid);
  EXPECT_EQ(settings["client_id"], kClientGuid);
  EXPECT_EQ(settings["graph_url"], "http://127.0.0.1:8080/v1.0");
  EXPECT_FALSE(settings.contains("authority_url"));
  const std::string sealed = settings["client_secret"];
  EXPECT_EQ(sealed.rfind("sbox1:", 0), 0u);
  EXPECT_EQ(*Open(LoadSecretKey().value(), sealed), kSecret);

  CliRun json = Vigil({"sources", "--db", db_, "--json"});
  ASSERT_EQ(json.status, 0) << json.err;
  const nlohmann::json listed = nlohmann::json::parse(json.out);
  ASSERT_EQ(listed.size(), 1u);
  const nlohmann::json& s = listed[0];
  std::vector<std::string> keys;
  for (const auto& [k, v] : s.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "last_sync", "name", "not_available", "provider",
                                            "schedule", "settings", "tenant"}));
  EXPECT_EQ(s["id"], 1);
  EXPECT_EQ(s["tenant"], "contoso");
  EXPECT_EQ(s["name"], "microsoft365");
  EXPECT_EQ(s["provider"], "microsoft365");
  EXPECT_EQ(s["settings"], nlohmann::json({{"tenant_id", kTenantGuid},
                                           {"client_id", kClientGuid},
                                           {"client_secret", "(sealed)"},
                                           {"graph_url", "http://127.0.0.1:8080/v1.0"}}));
  EXPECT_EQ(s["schedule"]["every"], "1h");
  EXPECT_EQ(s["schedule"]["enabled"], true);
  EXPECT_TRUE(s["schedule"]["window"].is_null());
  EXPECT_TRUE(s["schedule"]["next_run_at"].is_string());
  EXPECT_TRUE(s["last_sync"].is_null());
  EXPECT_EQ(s["not_available"], nlohmann::json::array());

  CliRun text = Vigil({"sources", "--db", db_, "--tenant", "contoso"});
  ASSERT_EQ(text.status, 0) << text.err;
  std::istringstream lines(text.out);
  std::string header, row, detail, rest;
  std::getline(lines, header);
  std::getline(lines, row);
  std::getline(lines, detail);
  std::getline(lines, rest);
  EXPECT_EQ(
      header,
      "ID  TENANT   SOURCE        PROVIDER      EVERY  NEXT RUN              LAST SYNC  STATUS");
  EXPECT_EQ(row.substr(0, 50), "1   contoso  microsoft365  microsoft365  1h     20");
  EXPECT_EQ(row.substr(70), "never      -");
  EXPECT_EQ(detail, std::string("    settings: client_id=") + kClientGuid +
                        ", client_secret=(sealed), graph_url=http://127.0.0.1:8080/v1.0, "
                        "tenant_id=" +
                        kTenantGuid);
  EXPECT_EQ(rest, "");

  for (const CliRun& run : {add, json, text}) {
    EXPECT_EQ(run.out.find(kSecret), std::string::npos);
    EXPECT_EQ(run.err.find(kSecret), std::string::npos);
  }
  EXPECT_EQ(DatabaseBytes().find(kSecret), std::string::npos);
  EXPECT_NE(DatabaseBytes().find("sbox1:"), std::string::npos);  // the search can find text
}

TEST_F(CliSourceTest, AddingItAgainReplacesTheSettingsAndSaysSo) {
  ASSERT_EQ(Vigil(AddArgs(secret_file_)).status, 0);
  const std::string rotated = WriteSecret("rotated.txt", std::string(kRotated) + "\r\n");
  CliRun again = Vigil(AddArgs(rotated, {{"--every", "15m"}}));
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, "1\n");
  EXPECT_EQ(again.err.rfind("updated the settings of data source \"microsoft365\" (microsoft365) "
                            "of tenant \"contoso\" (client secret sealed anew); `vigil serve` "
                            "syncs it every 15m, next at 20",
                            0),
            0u)
      << again.err;
  EXPECT_EQ(*Open(LoadSecretKey().value(), StoredSettings(1)["client_secret"].get<std::string>()),
            kRotated);

  const nlohmann::json listed =
      nlohmann::json::parse(Vigil({"sources", "--db", db_, "--json"}).out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["schedule"]["every"], "15m");

  // Without --every the schedule stays as it is.
  CliRun third = Vigil(AddArgs(secret_file_));
  ASSERT_EQ(third.status, 0) << third.err;
  EXPECT_NE(third.err.find("syncs it every 15m"), std::string::npos) << third.err;
  EXPECT_EQ(*Open(LoadSecretKey().value(), StoredSettings(1)["client_secret"].get<std::string>()),
            kSecret);

  const std::string bytes = DatabaseBytes();
  EXPECT_EQ(bytes.find(kSecret), std::string::npos);
  EXPECT_EQ(bytes.find(kRotated), std::string::npos);
  EXPECT_EQ(again.err.find(kRotated), std::string::npos);
}

TEST_F(CliSourceTest, TheSecretCanComeThroughAPipe) {
  // As in `vault read ... | vigil source add ... --client-secret-file /dev/stdin`.
  const std::string fifo = dir_ + "/secret.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&fifo] {
    std::ofstream pipe(fifo, std::ios::binary);  // blocks until the reader opens it
    pipe << kRotated << "\n";
  });
  CliRun add = Vigil(AddArgs(fifo));
  // Should the command fail before it opened the pipe, this releases the writer.
  const int unblock = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  writer.join();
  if (unblock >= 0) ::close(unblock);
  ASSERT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(*Open(LoadSecretKey().value(), StoredSettings(1)["client_secret"].get<std::string>()),
            kRotated);
}

TEST_F(CliSourceTest, NothingIsWrittenWhenAFlagTheKeyOrTheSecretFileIsWrong) {
  struct Case {
    std::vector<std::string> args;
    int status;
    std::string err;
  };
  const std::string missing_file = dir_ + "/no-such-secret";
  const std::string empty_file = WriteSecret("empty.txt", "\n");
  const std::string two_lines = WriteSecret("two.txt", "one\ntwo\n");
  const std::string big_file = WriteSecret("big.txt", std::string(64 * 1024 + 1, 'x'));
  const std::vector<Case> cases = {
      {AddArgs(secret_file_, {{"--tenant", "bad tenant!"}}), 2,
       "vigil: --tenant: tenant name \"bad tenant!\" must be 1 to 128 letters, digits, '.', '-' "
       "or '_'\n"},
      {AddArgs(secret_file_, {{"--provider", "okta"}}), 2,
       "vigil: --provider: unknown provider \"okta\" (known: microsoft365, graph_json, "
       "google_workspace, google_json)\n"},
      {{"source", "add", "--db", db_, "--tenant", "contoso", "--provider", "microsoft365",
        "--client-id", kClientGuid},
       2,
       "vigil: --provider microsoft365 needs --tenant-id, --client-secret-file\n"},
      {AddArgs(secret_file_, {{"--tenant-id", "not a tenant"}}), 2,
       "vigil: --tenant-id: \"not a tenant\" is neither a GUID (8-4-4-4-12 hex digits) nor a "
       "domain such as contoso.onmicrosoft.com\n"},
      {AddArgs(secret_file_, {{"--client-id", "10.0.0.1"}}), 2,
       "vigil: --client-id: \"10.0.0.1\" is neither a GUID (8-4-4-4-12 hex digits) nor a domain "
       "such as contoso.onmicrosoft.com\n"},
      {AddArgs(secret_file_, {{"--authority-url", "http://login.example.com"}}), 2,
       "vigil: --authority-url: http:// is allowed only for a loopback host (credentials would "
       "travel in clear); use https://\n"},
      {AddArgs(secret_file_, {{"--graph-url", "ftp://graph"}}), 2,
       "vigil: --graph-url: \"ftp://graph\" is not an https:// URL such as "
       "https://graph.example\n"},
      {AddArgs(secret_file_, {{"--cloud", "gov"}}), 2,
       "vigil: --cloud: unknown cloud \"gov\" (known: global, usgov, usgovdod, china)\n"},
      {AddArgs(secret_file_, {{"--cloud", "USGOV"}}), 2,
       "vigil: --cloud: unknown cloud \"USGOV\" (known: global, usgov, usgovdod, china)\n"},
      {AddArgs(secret_file_, {{"--cloud", "usgov"}, {"--graph-url", "https://graph.example"}}), 2,
       "vigil: --cloud and --graph-url exclude each other: --cloud usgov sets the authority and "
       "Graph URLs itself; give --authority-url and --graph-url without --cloud for other "
       "endpoints\n"},
      {AddArgs(secret_file_, {{"--authority-url", "https://login.example"}, {"--cloud", "china"}}),
       2,
       "vigil: --cloud and --authority-url exclude each other: --cloud china sets the authority "
       "and Graph URLs itself; give --authority-url and --graph-url without --cloud for other "
       "endpoints\n"},
      {{"source", "add", "--db", db_, "--tenant", "contoso", "--provider", "graph_json", "--dir",
        dir_, "--cloud", "usgov"},
       2,
       "vigil: --provider graph_json does not take --cloud\n"},
      {AddArgs(secret_file_, {{"--every", "30s"}}), 2,
       "vigil: --every: schedule interval must be at least 1m\n"},
      {AddArgs(secret_file_, {{"--name", "a/b"}}), 2,
       "vigil: --name: data source name \"a/b\" must be 1 to 128 letters, digits, '.', '-' or "
       "'_'\n"},
      {AddArgs(secret_file_, {{"--dir", dir_}}), 2,
       "vigil: --provider microsoft365 does not take --dir\n"},
      {{"source", "add", "--db", db_, "--tenant", "contoso", "--provider", "graph_json",
        "--client-id", kClientGuid},
       2,
       "vigil: --provider graph_json does not take --client-id\n"},
      {{"source", "add", "--db", db_, "--tenant", "contoso", "--provider", "graph_json"},
       2,
       "vigil: --provider graph_json needs --dir\n"},
      {{"source", "add", "--db", db_, "--tenant", "contoso", "--provider", "graph_json", "--dir",
        dir_ + "/nope"},
       1,
       "vigil: --dir " + dir_ + "/nope: no such directory\n"},
      {AddArgs(missing_file), 1,
       "vigil: --client-secret-file " + missing_file +
           ": cannot open: No such file or directory\n"},
      {AddArgs(empty_file), 1,
       "vigil: --client-secret-file " + empty_file + " is empty; it must hold the client secret\n"},
      {AddArgs(two_lines), 1,
       "vigil: --client-secret-file " + two_lines +
           " holds more than one line; it must hold only the client secret\n"},
      {AddArgs(dir_), 1, "vigil: --client-secret-file " + dir_ + " is a directory\n"},
      {AddArgs(big_file), 1,
       "vigil: --client-secret-file " + big_file +
           " is larger than 64 KiB; it must hold only the client secret\n"},
  };
  for (const Case& c : cases) {
    CliRun run = Vigil(c.args);
    EXPECT_EQ(run.status, c.status) << c.err;
    EXPECT_EQ(run.err, c.err);
    EXPECT_EQ(run.out, "");
  }
  {
    key_file_env_.reset();
    CliRun no_key = Vigil(AddArgs(secret_file_));
    EXPECT_EQ(no_key.status, 1);
    EXPECT_EQ(no_key.err,
              "vigil: no secret key to seal data source secrets with: create one with `vigil key "
              "generate --out FILE`, then set VIGIL_SECRET_KEY_FILE=FILE (or set VIGIL_SECRET_KEY "
              "to the key itself: 64 hex digits or base64)\n");
    ASSERT_EQ(::chmod(key_file_.c_str(), 0644), 0);
    ScopedEnv open_key(kSecretKeyFileEnv, key_file_);
    CliRun too_open = Vigil(AddArgs(secret_file_));
    EXPECT_EQ(too_open.status, 1);
    EXPECT_EQ(too_open.err, "vigil: key file " + key_file_ +
                                " (VIGIL_SECRET_KEY_FILE) is accessible by group or others (mode "
                                "0644); a key file must be readable by its owner only: chmod 600 " +
                                key_file_ + "\n");
  }
  EXPECT_FALSE(std::filesystem::exists(db_));
}

TEST_F(CliSourceTest, CloudSetsTheTokenEndpointAndTheGraphUrlTogether) {
  CliRun add = Vigil(AddArgs(secret_file_, {{"--cloud", "usgov"}}));
  ASSERT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(add.out, "1\n");
  nlohmann::json settings = StoredSettings(1);
  settings.erase("client_secret");
  EXPECT_EQ(settings, nlohmann::json({{"tenant_id", kTenantGuid},
                                      {"client_id", kClientGuid},
                                      {"cloud", "usgov"},
                                      {"authority_url", "https://login.microsoftonline.us"},
                                      {"graph_url", "https://graph.microsoft.us/v1.0"}}));

  CliRun text = Vigil({"sources", "--db", db_});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find(std::string("\n    settings: authority_url=https://"
                                      "login.microsoftonline.us, client_id=") +
                          kClientGuid +
                          ", client_secret=(sealed), cloud=usgov, graph_url=https://"
                          "graph.microsoft.us/v1.0, tenant_id=" +
                          kTenantGuid + "\n"),
            std::string::npos)
      << text.out;
  const nlohmann::json listed =
      nlohmann::json::parse(Vigil({"sources", "--db", db_, "--json"}).out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["settings"]["cloud"], "usgov");
  EXPECT_EQ(listed[0]["settings"]["graph_url"], "https://graph.microsoft.us/v1.0");

  // Every cloud, by name; back to the global one replaces the settings.
  const std::vector<std::vector<std::string>> clouds = {
      {"global", "https://login.microsoftonline.com", "https://graph.microsoft.com/v1.0"},
      {"usgovdod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us/v1.0"},
      {"china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/v1.0"},
  };
  for (const std::vector<std::string>& cloud : clouds) {
    CliRun again = Vigil(AddArgs(secret_file_, {{"--cloud", cloud[0]}}));
    ASSERT_EQ(again.status, 0) << again.err;
    EXPECT_EQ(again.err.rfind("updated the settings of data source \"microsoft365\"", 0), 0u)
        << again.err;
    const nlohmann::json stored = StoredSettings(1);
    EXPECT_EQ(stored["cloud"], cloud[0]);
    EXPECT_EQ(stored["authority_url"], cloud[1]);
    EXPECT_EQ(stored["graph_url"], cloud[2]);
  }
}

TEST_F(CliSourceTest, AnExistingSourceOfAnotherProviderIsNotReplaced) {
  CliRun graph = Vigil({"source", "add", "--db", db_, "--tenant", "contoso", "--provider",
                        "graph_json", "--dir", dir_, "--name", "shared", "--every", "2h"});
  ASSERT_EQ(graph.status, 0) << graph.err;
  EXPECT_EQ(graph.out, "1\n");
  CliRun clash = Vigil(AddArgs(secret_file_, {{"--name", "shared"}}));
  EXPECT_EQ(clash.status, 1);
  EXPECT_EQ(clash.err,
            "vigil: contoso: data source \"shared\" exists with provider graph_json, not "
            "microsoft365\n");
  EXPECT_EQ(StoredSettings(1), nlohmann::json({{"dir", dir_}}));

  CliRun same = Vigil({"source", "add", "--db", db_, "--tenant", "contoso", "--provider",
                       "graph_json", "--dir", dir_ + "/", "--name", "shared"});
  ASSERT_EQ(same.status, 0) << same.err;
  EXPECT_EQ(same.err.rfind("data source \"shared\" (graph_json) of tenant \"contoso\" exists with "
                           "these settings already; `vigil serve` syncs it every 2h, next at ",
                           0),
            0u)
      << same.err;
}

TEST_F(CliSourceTest, SourcesShowsTheLastSyncAndTheKindsThatWereNotAvailable) {
  SyntheticOptions options;
  options.users = 12;
  const std::string graph = dir_ + "/graph";
  ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), graph).ok());
  std::filesystem::remove(graph + "/userRegistrationDetails.json");
  CliRun sync = Vigil({"sync", "--db", db_, "--tenant", "contoso", "--from-dir", graph});
  ASSERT_EQ(sync.status, 0) << sync.err;
  ASSERT_EQ(Vigil(AddArgs(secret_file_)).status, 0);

  CliRun json = Vigil({"sources", "--db", db_, "--json"});
  ASSERT_EQ(json.status, 0) << json.err;
  nlohmann::json listed = nlohmann::json::parse(json.out);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["name"], "graph");
  EXPECT_EQ(listed[0]["settings"], nlohmann::json({{"dir", graph}}));
  EXPECT_EQ(listed[0]["last_sync"]["status"], "succeeded");
  EXPECT_TRUE(listed[0]["last_sync"]["error"].is_null());
  ASSERT_EQ(listed[0]["not_available"].size(), 1u);
  EXPECT_EQ(listed[0]["not_available"][0]["kind"], "registration");
  EXPECT_EQ(listed[0]["not_available"][0]["reason"], "userRegistrationDetails.json is missing");
  EXPECT_TRUE(listed[0]["not_available"][0]["checked_at"].is_string());
  EXPECT_EQ(listed[1]["name"], "microsoft365");

  // A sync that fails shows its error.
  testing::WriteFile(graph + "/users.json", "{\"value\": [");
  EXPECT_EQ(Vigil({"sync", "--db", db_, "--tenant", "contoso", "--from-dir", graph}).status, 1);
  listed = nlohmann::json::parse(Vigil({"sources", "--db", db_, "--json"}).out);
  EXPECT_EQ(listed[0]["last_sync"]["status"], "failed");
  const std::string error = listed[0]["last_sync"]["error"];
  EXPECT_NE(error.find("users.json"), std::string::npos) << error;

  CliRun text = Vigil({"sources", "--db", db_});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("\n    settings: dir=" + graph + "\n    error: " + error +
                          "\n    not available: registration: userRegistrationDetails.json is "
                          "missing\n2   contoso  microsoft365"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("  failed\n"), std::string::npos) << text.out;
}

TEST_F(CliSourceTest, SourcesNamesAnUnknownTenantAndSaysWhenThereIsNone) {
  ASSERT_EQ(Vigil({"migrate", "--db", db_}).status, 0);  // `sources` creates no database
  CliRun unknown = Vigil({"sources", "--db", db_, "--tenant", "nobody"});
  EXPECT_EQ(unknown.status, 1);
  EXPECT_EQ(unknown.err, "vigil: no tenant named \"nobody\"\n");
  CliRun none = Vigil({"sources", "--db", db_});
  EXPECT_EQ(none.status, 0);
  EXPECT_EQ(none.out, "no data sources (add one with `vigil source add`)\n");
  EXPECT_EQ(Vigil({"sources", "--db", db_, "--json"}).out, "[]\n");
}

TEST_F(CliSourceTest, HelpExplainsTheFlagsAndWhereTheKeyComesFrom) {
  CliRun add = Vigil({"source", "add", "--help"});
  EXPECT_EQ(add.status, 0);
  for (const char* text : {"--client-secret-file", "--tenant-id", "--client-id", "--every",
                           "--cloud", "usgovdod", "--authority-url", "--graph-url", "--dir",
                           "VIGIL_SECRET_KEY_FILE", "vigil key generate --out FILE"}) {
    EXPECT_NE(add.out.find(text), std::string::npos) << text;
  }
  CliRun generate = Vigil({"key", "generate", "--help"});
  EXPECT_EQ(generate.status, 0);
  EXPECT_NE(generate.out.find("VIGIL_SECRET_KEY"), std::string::npos) << generate.out;
  CliRun sources = Vigil({"sources", "--help"});
  EXPECT_NE(sources.out.find("(sealed)"), std::string::npos) << sources.out;
  CliRun top = Vigil({"--help"});
  for (const char* command : {"key", "source", "sources"}) {
    EXPECT_NE(top.out.find("  " + std::string(command) + " "), std::string::npos) << command;
  }
  CliRun bare = Vigil({"source"});
  EXPECT_EQ(bare.status, 2);
}

}  // namespace
}  // namespace vigil
