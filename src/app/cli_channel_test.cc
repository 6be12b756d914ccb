// `vigil channel add|remove|test`, `vigil channels` and `vigil
// notifications` as a user runs them: what they print, what they refuse
// (and that a refusal stores nothing), and that a channel's URL never shows
// up in the output or in clear text in the database.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli_test_support.h"
#include "testing/fixtures.h"
#include "testing/scoped_env.h"
#include "testing/scripted_receiver.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::Vigil;

constexpr const char* kKeyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class CliChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir();
    db_ = dir_ + "/vigil.db";
    ASSERT_EQ(Vigil({"migrate", "--db", db_}).status, 0);
  }

  CliRun Add(std::vector<std::string> args) {
    std::vector<std::string> all = {"channel", "add", "--db", db_};
    all.insert(all.end(), args.begin(), args.end());
    return Vigil(all);
  }

  int Channels() {
    CliRun run = Vigil({"channels", "--db", db_, "--json"});
    EXPECT_EQ(run.status, 0) << run.err;
    return static_cast<int>(nlohmann::json::parse(run.out).size());
  }

  testing::ScopedEnv key_{"VIGIL_SECRET_KEY", std::string(kKeyHex)};
  std::string dir_;
  std::string db_;
};

TEST_F(CliChannelTest, AWebhookChannelPrintsItsSigningSecretOnceAndNeverItsUrl) {
  const std::string url = "http://127.0.0.1:9/hooks/private-path-token";
  CliRun add = Add({"--name", "ops", "--kind", "webhook", "--url", url, "--types", "mfa.*",
                    "--min-severity", "high", "--group-wait", "0"});
  ASSERT_EQ(add.status, 0) << add.err;
  const std::string secret = add.out.substr(0, add.out.find('\n'));
  EXPECT_EQ(secret.size(), 64u) << add.out;
  EXPECT_NE(add.err.find("channel \"ops\" added (id 1)"), std::string::npos) << add.err;

  CliRun list = Vigil({"channels", "--db", db_});
  ASSERT_EQ(list.status, 0) << list.err;
  EXPECT_NE(list.out.find("ops"), std::string::npos);
  EXPECT_NE(list.out.find("mfa.*"), std::string::npos);
  CliRun json = Vigil({"channels", "--db", db_, "--json"});
  const nlohmann::json channel = nlohmann::json::parse(json.out)[0];
  EXPECT_EQ(channel["kind"], "webhook");
  EXPECT_EQ(channel["route"]["min_severity"], "high");
  EXPECT_EQ(channel["route"]["group_wait"], "0ms");
  EXPECT_EQ(channel["secrets"], nlohmann::json({"url", "signing_secret"}));
  for (const std::string& text : {list.out, json.out, ReadAll(db_), ReadAll(db_ + "-wal")}) {
    EXPECT_EQ(text.find("private-path-token"), std::string::npos);
    EXPECT_EQ(text.find(secret), std::string::npos);
  }
}

TEST_F(CliChannelTest, BadInputIsRefusedWithTheReasonAndNothingIsStored) {
  struct Case {
    std::vector<std::string> args;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--name", "x", "--kind", "pigeon"}, 2,
       "vigil: channel add: unknown channel kind \"pigeon\" (expected webhook, slack, teams, "
       "email, pagerduty or alertmanager)\n"},
      {{"--name", "x", "--kind", "slack"}, 2, "vigil: channel add: slack channel: url is required\n"},
      {{"--name", "x", "--kind", "webhook", "--url", "ftp://example.invalid/"}, 2,
       "vigil: channel add: webhook channel: url must be an http:// or https:// URL\n"},
      {{"--name", "x", "--kind", "webhook", "--url", "http://127.0.0.1:9/", "--changes", "opend"},
       2,
       "vigil: channel add: changes: unknown change \"opend\" (expected one of opened, reopened, "
       "resolved, severity_changed, updated, flapping, stable, repeat)\n"},
      {{"--name", "x", "--kind", "webhook", "--url", "http://127.0.0.1:9/", "--tenant", "nope"}, 1,
       "vigil: channel add: --tenant: no tenant named \"nope\"\n"},
      {{"--name", "x", "--kind", "webhook", "--url", "http://127.0.0.1:9/", "--group-wait", "soon"},
       2,
       "vigil: channel add: --group-wait: \"soon\" is not a duration (e.g. 500ms, 90s, 15m, 1h, "
       "7d)\n"},
      {{"--name", "x", "--kind", "email", "--smtp-url", "smtp://127.0.0.1:25", "--from",
        "a@example.com"},
       2, "vigil: channel add: email channel: to: missing (at least one address)\n"},
      {{"--name", "x", "--kind", "webhook", "--url-file", "/nonexistent/url"}, 1,
       "vigil: channel add: --url-file /nonexistent/url: cannot open: No such file or directory\n"},
  };
  for (const Case& c : cases) {
    CliRun run = Add(c.args);
    EXPECT_EQ(run.status, c.status) << run.err;
    EXPECT_EQ(run.err, c.message);
  }
  EXPECT_EQ(Channels(), 0);
}

TEST_F(CliChannelTest, WithoutTheSecretKeyNothingIsAdded) {
  testing::ScopedEnv no_key("VIGIL_SECRET_KEY", std::nullopt);
  testing::ScopedEnv no_file("VIGIL_SECRET_KEY_FILE", std::nullopt);
  CliRun run = Add({"--name", "x", "--kind", "webhook", "--url", "http://127.0.0.1:9/"});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("VIGIL_SECRET_KEY"), std::string::npos) << run.err;
  EXPECT_EQ(Channels(), 0);
}

TEST_F(CliChannelTest, TestSendsOneMessageAndPrintsTheAnswerRemoveTakesItAway) {
  testing::ScriptedReceiver receiver;
  ASSERT_GT(receiver.Start(), 0);
  ASSERT_EQ(Add({"--name", "ops", "--kind", "slack", "--url",
                 "http://127.0.0.1:" + std::to_string(receiver.port()) + "/services/x"})
                .status,
            0);
  CliRun test = Vigil({"channel", "test", "--db", db_, "ops"});
  EXPECT_EQ(test.status, 0) << test.err;
  EXPECT_EQ(test.out, "outcome: sent\nstatus: 200\nresponse: ok\n");
  ASSERT_EQ(receiver.received().size(), 1u);
  EXPECT_NE(receiver.received()[0].body.find("vigil-test"), std::string::npos);

  receiver.SetDefault({404, "no_service", {}, false});
  CliRun refused = Vigil({"channel", "test", "--db", db_, "ops"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.out.find("outcome: failed\nstatus: 404\nresponse: no_service\n"),
            std::string::npos)
      << refused.out;

  CliRun remove = Vigil({"channel", "remove", "--db", db_, "ops"});
  EXPECT_EQ(remove.status, 0);
  EXPECT_EQ(remove.out, "channel \"ops\" removed (its delivery log stays)\n");
  CliRun again = Vigil({"channel", "remove", "--db", db_, "ops"});
  EXPECT_EQ(again.status, 1);
  EXPECT_EQ(again.err, "vigil: no channel \"ops\"\n");
  EXPECT_EQ(Channels(), 0);
}

TEST_F(CliChannelTest, NotificationsChecksItsFilters) {
  CliRun empty = Vigil({"notifications", "--db", db_});
  EXPECT_EQ(empty.status, 0);
  EXPECT_EQ(empty.out, "no notifications\n");
  CliRun state = Vigil({"notifications", "--db", db_, "--state", "lost"});
  EXPECT_EQ(state.status, 2);
  EXPECT_EQ(state.err, "vigil: state \"lost\": expected pending, sent, failed or suppressed\n");
  CliRun channel = Vigil({"notifications", "--db", db_, "--channel", "nope"});
  EXPECT_EQ(channel.status, 1);
  EXPECT_EQ(channel.err, "vigil: no channel \"nope\"\n");
  CliRun missing = Vigil({"notifications", "--db", dir_ + "/typo.db"});
  EXPECT_EQ(missing.status, 1);
}

}  // namespace
}  // namespace vigil
