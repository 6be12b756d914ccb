// The OpenAPI description of /api/v1/rollouts (api/rollout_routes.cc).
#include "api/openapi_parts.h"

namespace vigil::openapi {
namespace {

Json TypePath() {
  return PathParam("type", "the analysis type (mfa, license, stale, privilege, policy)",
                   String());
}

Json VersionCount() {
  return Object({{"version", Integer()}, {"tenants", Integer()}}, {"version", "tenants"});
}

Json NullableInteger(const std::string& description) {
  Json s = Integer(description);
  s["nullable"] = true;
  return s;
}

// The target fields of a rollout request: exactly one is given.
Json TargetProperties(Json properties) {
  properties["tenants"] = ArrayOf(String("a tenant name"));
  properties["percent"] = {{"type", "integer"},
                           {"minimum", 1},
                           {"maximum", 100},
                           {"description",
                            "the tenants whose stable bucket (a hash of the name, 0-99) is below "
                            "it: the same tenants every time; 10 is a subset of 20"}};
  properties["all"] = {{"type", "boolean"}, {"description", "every tenant"}};
  return properties;
}

}  // namespace

void AddRolloutSchemas(Json* schemas) {
  Json& s = *schemas;
  s["RolloutChange"] = Object({{"type", String("the analysis type")},
                               {"changed", ArrayOf(String("a tenant whose setting changed"))},
                               {"unchanged", ArrayOf(String("a targeted tenant already so"))},
                               {"cleared", ArrayOf(String("a tenant not targeted whose candidate "
                                                          "was removed (candidate only)"))}},
                              {"type", "changed", "unchanged", "cleared"});
  s["RolloutStatus"] = Object(
      {{"tenants", Integer("tenants in all")},
       {"types",
        ArrayOf(Object({{"type", String()},
                        {"latest", Integer("the newest version there is")},
                        {"active", ArrayOf(VersionCount())},
                        {"candidates", Integer("tenants running a candidate in shadow")},
                        {"applied", ArrayOf(VersionCount())}},
                       {"type", "latest", "active", "candidates", "applied"}))},
       {"settings",
        ArrayOf(Object({{"tenant", String()},
                        {"type", String()},
                        {"active", Integer()},
                        {"previous", NullableInteger("what a rollback returns to")},
                        {"candidate", NullableInteger("the version run in shadow")},
                        {"updated_at", Time("last change")},
                        {"updated_by", String("who made it")}},
                       {"tenant", "type", "active"}))}},
      {"tenants", "types", "settings"});
  Json example = Object({{"change", Enum({"would_open", "would_resolve", "would_change_severity"})},
                         {"alert_type", String()},
                         {"subject", String()},
                         {"subject_name", String()},
                         {"severity", String("the candidate's (the active's for would_resolve)")},
                         {"from_severity", String("the active's, for would_change_severity")}},
                        {"change", "alert_type", "subject", "severity"});
  s["ShadowDiff"] = Object(
      {{"type", String()},
       {"runs", ArrayOf(Object({{"tenant", String()},
                                {"type", String()},
                                {"active_version", Integer()},
                                {"candidate_version", Integer()},
                                {"status", Enum({"COMPLETE", "INCOMPLETE", "FAILED"})},
                                {"reason", String("why there is no diff; empty when there is")},
                                {"would_open", Integer()},
                                {"would_resolve", Integer()},
                                {"would_change_severity", Integer()},
                                {"unchanged", Integer()},
                                {"examples", ArrayOf(example)},
                                {"run_id", String()},
                                {"trace_id", String()},
                                {"as_of", Time("the analysis clock of the run")}},
                               {"tenant", "type", "status", "would_open", "would_resolve"}))},
       {"totals", Object({{"would_open", Integer()},
                          {"would_resolve", Integer()},
                          {"would_change_severity", Integer()}})}},
      {"runs", "totals"});
  s["CandidateInput"] = Object(TargetProperties(
      {{"version", NullableInteger("the version to run in shadow; null clears the candidate")}}));
  s["PromoteInput"] =
      Object(TargetProperties({{"version", Integer("the version to make active")}}), {"version"});
  s["RollbackInput"] = Object(
      {{"tenants", ArrayOf(String("a tenant name; none: every tenant that was promoted"))}});
}

void AddRolloutPaths(Json* paths) {
  Json& p = *paths;
  const std::initializer_list<const char*> errors = {
      "BadRequest", "Unauthorized", "Forbidden", "NotFound", "PayloadTooLarge", "RateLimited"};
  Operation op = Token("Which rule version each tenant runs (admin token only)", "rollouts");
  op.responses["200"] = Reply("the rollout status", Ref("RolloutStatus"));
  p["/api/v1/rollouts"]["get"] = Build(op, {"Unauthorized", "Forbidden", "RateLimited"});

  op = Token("What the candidate version would change, per tenant (admin token only)",
             "rollouts");
  op.parameters.push_back(TypePath());
  op.parameters.push_back(QueryParam("tenant", "only this tenant (by name)", String()));
  op.responses["200"] = Reply("the last shadow run of each tenant", Ref("ShadowDiff"));
  p["/api/v1/rollouts/{type}/diff"]["get"] =
      Build(op, {"BadRequest", "Unauthorized", "Forbidden", "NotFound", "RateLimited"});

  op = Token("Run a candidate version in shadow for some tenants (admin token only)", "rollouts");
  op.parameters.push_back(TypePath());
  op.request_body = Body(Ref("CandidateInput"), true, "the version and the target");
  op.responses["200"] = Reply("the tenants changed", Ref("RolloutChange"));
  p["/api/v1/rollouts/{type}/candidate"]["put"] = Build(op, errors);

  op = Token("Make a version active for some tenants (admin token only)", "rollouts");
  op.parameters.push_back(TypePath());
  op.request_body = Body(Ref("PromoteInput"), true, "the version and the target");
  op.responses["200"] = Reply("the tenants changed", Ref("RolloutChange"));
  p["/api/v1/rollouts/{type}/promote"]["post"] = Build(op, errors);

  op = Token("Return to the version before the last promotion (admin token only)", "rollouts");
  op.parameters.push_back(TypePath());
  op.request_body = Body(Ref("RollbackInput"), false, "the tenants; none: all promoted ones");
  op.responses["200"] = Reply("the tenants changed", Ref("RolloutChange"));
  p["/api/v1/rollouts/{type}/rollback"]["post"] = Build(op, errors);
}

}  // namespace vigil::openapi
