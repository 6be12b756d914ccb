// GET /api/v1/alerts as the console uses it, through Api::Handle: type
// globs, severity lists, the flapping, snoozed and acknowledged flags, text
// search, short pages of a filter that matches little, the CSV export, and
// the 400s that name what was wrong.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"
#include "api/alert_csv.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using testing::ApiFixture;
using testing::Body;
using testing::Message;

std::vector<std::string> Subjects(const ApiResponse& r) {
  std::vector<std::string> subjects;
  const nlohmann::json body = Body(r);
  for (const nlohmann::json& item : body["items"]) subjects.push_back(item["subject"]);
  return subjects;
}

// contoso: mfa.user_not_registered for alice, bob (high) and =cmd (a name
// a spreadsheet would run), mfa.admin_not_registered for root (critical),
// stale.user for carol (low), license.unused for sku-e5 (low); fabrikam:
// mfa.user_not_registered for dave. bob is flapping; alice is snoozed and
// acknowledged.
class AlertListRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = f_.AdminToken();
    contoso_token_ = f_.TenantToken("contoso", "contoso-ops");
    fabrikam_token_ = f_.TenantToken("fabrikam", "fabrikam-ops");
    const int64_t contoso = TenantId("contoso");
    const int64_t fabrikam = TenantId("fabrikam");
    auto finding = [](std::string_view type, const std::string& subject, const std::string& name,
                      Severity severity) {
      Finding f = alerts_test::MakeFinding(std::string(type), subject, severity);
      f.subject_name = name;
      return f;
    };
    Reconcile(alerts_test::MakeRun(
        contoso, "c1", alerts_test::kT0,
        {alerts_test::Complete("mfa", {finding(kMfaUserNotRegistered, "id-alice",
                                               "Alice@Contoso.example", Severity::kMedium),
                                       finding(kMfaUserNotRegistered, "id-bob",
                                               "bob@contoso.example", Severity::kHigh),
                                       finding(kMfaUserNotRegistered, "id-cmd",
                                               "=HYPERLINK(\"http://x\",\"y\")", Severity::kMedium),
                                       finding(kMfaAdminNotRegistered, "id-root",
                                               "root@contoso.example", Severity::kCritical)}),
         alerts_test::Complete(
             "stale", {finding(kStaleUser, "id-carol", "carol@contoso.example", Severity::kLow)}),
         alerts_test::Complete("license",
                               {finding(kLicenseUnused, "sku-e5", "SPE_E5", Severity::kLow)})}));
    Reconcile(alerts_test::MakeRun(
        fabrikam, "f1", alerts_test::kT0,
        {alerts_test::Complete("mfa", {finding(kMfaUserNotRegistered, "id-dave",
                                               "dave@fabrikam.example", Severity::kMedium)})}));
    EXPECT_TRUE(f_.db()->Execute("UPDATE alerts SET flapping = 1 WHERE subject = 'id-bob'").ok());
    const std::string alice = "/api/v1/alerts/" + std::to_string(Id("id-alice"));
    EXPECT_EQ(
        f_.Call("POST", alice + "/snooze", contoso_token_, R"({"until": "2030-01-01T00:00:00Z"})")
            .status,
        200);
    EXPECT_EQ(f_.Call("POST", alice + "/acknowledge", contoso_token_).status, 200);
  }

  int64_t TenantId(const std::string& name) {
    Result<std::optional<TenantRow>> row = FindTenant(f_.db(), name);
    EXPECT_TRUE(row.ok() && row->has_value());
    return row.ok() && row->has_value() ? (*row)->id : 0;
  }

  int64_t Id(const std::string& subject) {
    Result<std::optional<int64_t>> id =
        f_.db()->QueryInt("SELECT id FROM alerts WHERE subject = ?", {subject});
    EXPECT_TRUE(id.ok() && id->has_value()) << subject;
    return id.ok() && id->has_value() ? **id : 0;
  }

  void Reconcile(const AnalysisRun& run) {
    AlertManager manager(f_.db(), f_.clock());
    Result<ReconcileSummary> summary = manager.Reconcile(run);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  }

  // The subjects `query` lists for `token`, every page followed.
  std::vector<std::string> List(const std::string& query, const std::string& token = "") {
    std::vector<std::string> subjects;
    std::string cursor;
    for (int page = 0; page < 50; ++page) {
      ApiResponse r =
          f_.Call("GET", "/api/v1/alerts?" + query + cursor, token.empty() ? admin_ : token);
      EXPECT_EQ(r.status, 200) << query << ": " << r.body;
      if (r.status != 200) break;
      for (const std::string& s : Subjects(r)) subjects.push_back(s);
      if (Body(r)["next_cursor"].is_null()) break;
      cursor = "&cursor=" + Body(r)["next_cursor"].get<std::string>();
    }
    return subjects;
  }

  ApiFixture f_;
  std::string admin_, contoso_token_, fabrikam_token_;
};

using Strings = std::vector<std::string>;

TEST_F(AlertListRoutesTest, TypeIsAnAlertTypeOrAGlobOverThem) {
  EXPECT_EQ(List("type=mfa.*"), (Strings{"id-alice", "id-bob", "id-cmd", "id-root", "id-dave"}));
  EXPECT_EQ(List("type=*.stale_*"), Strings{});  // privilege.stale_admin: none open
  EXPECT_EQ(List("type=stale.*"), Strings{"id-carol"});
  EXPECT_EQ(List("type=mfa.admin_not_registered"), Strings{"id-root"});
  EXPECT_EQ(List("type=*").size(), 7u);
  EXPECT_EQ(List("type=license.unuse?"), Strings{"sku-e5"});
}

TEST_F(AlertListRoutesTest, SeverityIsOneOrACommaList) {
  EXPECT_EQ(List("severity=high,critical"), (Strings{"id-bob", "id-root"}));
  EXPECT_EQ(List("severity=low"), (Strings{"id-carol", "sku-e5"}));
  EXPECT_EQ(List("severity=low,medium,high,critical").size(), 7u);
}

TEST_F(AlertListRoutesTest, FlappingSnoozedAndAcknowledgedAreTrueOrFalse) {
  EXPECT_EQ(List("flapping=true"), Strings{"id-bob"});
  EXPECT_EQ(List("flapping=false").size(), 6u);
  EXPECT_EQ(List("snoozed=true"), Strings{"id-alice"});
  EXPECT_EQ(List("acknowledged=true"), Strings{"id-alice"});
  EXPECT_EQ(List("snoozed=false&acknowledged=false&tenant=contoso"),
            (Strings{"id-bob", "id-cmd", "id-root", "id-carol", "sku-e5"}));
  // A snooze that has ended is not snoozed.
  f_.clock()->Advance(10LL * 365 * 24 * 3600 * 1000);
  EXPECT_EQ(List("snoozed=true"), Strings{});
}

TEST_F(AlertListRoutesTest, QIsACaseInsensitiveSubstringOfTheNameOrTheSubject) {
  EXPECT_EQ(List("q=alice@contoso"), Strings{"id-alice"});
  EXPECT_EQ(List("q=ALICE"), Strings{"id-alice"});
  EXPECT_EQ(List("q=spe_e"), Strings{"sku-e5"});  // the SKU's part number
  EXPECT_EQ(List("q=sku-"), Strings{"sku-e5"});   // its subject
  EXPECT_EQ(List("q=%25"), Strings{});            // '%' is itself
  EXPECT_EQ(List("q=example&type=mfa.*&severity=high,critical"), (Strings{"id-bob", "id-root"}));
  EXPECT_EQ(List("q=").size(), 7u);  // an empty search filters nothing
  // A tenant token searches its own alerts only.
  EXPECT_EQ(List("q=example", fabrikam_token_), Strings{"id-dave"});
  EXPECT_EQ(List("q=dave", contoso_token_), Strings{});
}

// A filtered page examines at most 10,000 alerts; with fewer it is whole.
// Every page of a filter that matches little is still a page of matches.
TEST_F(AlertListRoutesTest, FilteredPagesAreWholeWhenTheAlertsAreFew) {
  ApiResponse r = f_.Call("GET", "/api/v1/alerts?q=dave&limit=1", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Subjects(r), Strings{"id-dave"});
  EXPECT_TRUE(Body(r)["next_cursor"].is_null());
  r = f_.Call("GET", "/api/v1/alerts?type=mfa.*&limit=2", admin_);
  EXPECT_EQ(Subjects(r), (Strings{"id-alice", "id-bob"}));
  EXPECT_TRUE(Body(r)["next_cursor"].is_string());
}

TEST_F(AlertListRoutesTest, BadParametersAnswer400NamingTheParameter) {
  struct Case {
    std::string query;
    std::string message;
  };
  const std::string types =
      "mfa.user_not_registered, mfa.admin_not_registered, mfa.not_enforced, mfa.user_not_enforced, license.unused, "
      "license.overassigned, license.disabled_user, stale.user, stale.guest, "
      "privilege.global_admin_count, privilege.guest_admin, privilege.stale_admin, "
      "policy.legacy_auth_not_blocked";
  const std::vector<Case> cases = {
      {"type=nothing.*",
       "type: \"nothing.*\" is not a glob matching an alert type (" + types + ")"},
      {"type=mfa", "type: \"mfa\" is not an alert type (" + types + ")"},
      {"severity=high,urgent",
       "severity: \"urgent\" is not a severity (low, medium, high, critical)"},
      {"severity=high,", "severity: \"\" is not a severity (low, medium, high, critical)"},
      {"flapping=yes", "flapping: \"yes\" is not true or false"},
      {"snoozed=1", "snoozed: \"1\" is not true or false"},
      {"acknowledged=", "acknowledged: \"\" is not true or false"},
      {"q=" + std::string(201, 'a'), "q: 201 characters; at most 200 are accepted"},
      {"format=xml", "format: \"xml\" is not a format (json, csv)"},
  };
  for (const Case& c : cases) {
    ApiResponse r = f_.Call("GET", "/api/v1/alerts?" + c.query, contoso_token_);
    EXPECT_EQ(r.status, 400) << c.query;
    EXPECT_EQ(Body(r)["error"]["code"], "bad_request") << c.query;
    EXPECT_EQ(Message(r), c.message) << c.query;
  }
  EXPECT_EQ(f_.Call("GET", "/api/v1/alerts?q=" + std::string(200, 'a'), contoso_token_).status,
            200);
}

TEST_F(AlertListRoutesTest, CsvExportsEveryMatchSafelyWithItsHeaders) {
  ApiResponse r = f_.Call("GET", "/api/v1/alerts?format=csv&tenant=contoso&limit=1", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{
                              "Content-Disposition", "attachment; filename=\"alerts.csv\""}));
  std::vector<std::string> lines;
  for (size_t at = 0; at < r.body.size();) {
    const size_t end = r.body.find("\r\n", at);
    ASSERT_NE(end, std::string::npos) << "every line ends in CRLF";
    lines.push_back(r.body.substr(at, end - at));
    at = end + 2;
  }
  ASSERT_EQ(lines.size(), 7u) << r.body;  // the header and every alert of contoso, not one page
  EXPECT_EQ(lines[0],
            "id,tenant,type,severity,state,subject_name,subject,first_seen,last_seen,resolved_at,"
            "flapping,acknowledged_at,acknowledged_by,snoozed_until");
  EXPECT_EQ(lines[1], std::to_string(Id("id-alice")) +
                          ",contoso,mfa.user_not_registered,medium,open,Alice@Contoso.example,"
                          "id-alice,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,,false,"
                          "2026-11-18T11:06:40Z,contoso-ops,2030-01-01T00:00:00Z");
  // A formula is defused with a leading ', then quoted for its quotes and comma.
  EXPECT_EQ(lines[3], std::to_string(Id("id-cmd")) +
                          ",contoso,mfa.user_not_registered,medium,open,"
                          "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","
                          "id-cmd,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,,false,,,");
  EXPECT_NE(lines[2].find(",true,"), std::string::npos) << "bob is flapping: " << lines[2];
  EXPECT_EQ(r.body.find("fabrikam"), std::string::npos);

  // Accept: text/csv asks the same; the filters apply; a tenant token
  // exports its own alerts only.
  ApiRequest request;
  request.method = "GET";
  request.path = "/api/v1/alerts";
  request.query = {{"severity", "low"}};
  request.headers = {{"authorization", "Bearer " + fabrikam_token_}, {"accept", "text/csv"}};
  ApiResponse own = f_.api()->Handle(request);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.body, AlertCsvHeader());
  request.query.clear();
  own = f_.api()->Handle(request);
  EXPECT_EQ(std::count(own.body.begin(), own.body.end(), '\n'), 2) << own.body;
  EXPECT_NE(own.body.find("dave@fabrikam.example"), std::string::npos);
  // format=json wins over the header.
  request.query = {{"format", "json"}};
  EXPECT_EQ(f_.api()->Handle(request).content_type, "application/json");
}

TEST_F(AlertListRoutesTest, CsvCellsAreQuotedAndDefusedAndTheExportSaysWhenItIsCut) {
  EXPECT_EQ(CsvCell("plain"), "plain");
  EXPECT_EQ(CsvCell("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvCell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvCell("two\nlines"), "\"two\nlines\"");
  for (const char* formula : {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"}) {
    EXPECT_EQ(CsvCell(formula).find('\''), CsvCell(formula)[0] == '"' ? 1u : 0u) << formula;
  }
  EXPECT_EQ(CsvCell("=a,b"), "\"'=a,b\"");
  EXPECT_EQ(CsvCell("a=b"), "a=b");
  EXPECT_EQ(CsvCell(""), "");

  AlertPageQuery all;
  all.limit = 2;
  Result<std::string> cut = AlertsCsv(f_.db(), all, 3);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(std::count(cut->begin(), cut->end(), '\n'), 5) << *cut;
  EXPECT_NE(cut->find("\r\n# truncated at 3 alerts\r\n"), std::string::npos) << *cut;
  EXPECT_EQ(cut->rfind("# truncated at 3 alerts\r\n"), cut->size() - 25);
  Result<std::string> whole = AlertsCsv(f_.db(), all, 7);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->find("truncated"), std::string::npos) << "exactly the cap is not cut";
  EXPECT_EQ(std::count(whole->begin(), whole->end(), '\n'), 8);
}

}  // namespace
}  // namespace vigil
