#include "queue/job_outbox.h"

#include <nlohmann/json.hpp>

#include "common/ids.h"

namespace vigil {
namespace {

constexpr std::string_view kColumns =
    "id, queue, job_id, name, payload, options, created_at, relayed_at, relayed_to, "
    "finished_at, outcome, run_backend, run_until, run_token";

Result<OutboxJob> ReadRow(const Statement& st) {
  OutboxJob job;
  job.id = st.Int(0);
  job.queue = st.String(1);
  job.job_id = st.String(2);
  job.name = st.String(3);
  job.payload = st.String(4);
  VIGIL_ASSIGN_OR_RETURN(job.options, DecodeJobOptions(st.Text(5)));
  job.options.job_id = job.job_id;
  job.created_at = st.Int(6);
  if (!st.IsNull(7)) job.relayed_at = st.Int(7);
  if (!st.IsNull(8)) job.relayed_to = st.String(8);
  if (!st.IsNull(9)) job.finished_at = st.Int(9);
  if (!st.IsNull(10)) job.outcome = st.String(10);
  if (!st.IsNull(11)) job.run_backend = st.String(11);
  if (!st.IsNull(12)) job.run_until = st.Int(12);
  job.run_token = st.Int(13);
  return job;
}

}  // namespace

std::string EncodeJobOptions(const JobOptions& o) {
  return nlohmann::json{{"delay_ms", o.delay_ms},
                        {"priority", o.priority},
                        {"attempts", o.attempts},
                        {"backoff_type", o.backoff.type == Backoff::Type::kFixed ? "fixed"
                                                                                  : "exponential"},
                        {"backoff_ms", o.backoff.delay_ms},
                        {"group", o.group}}
      .dump();
}

Result<JobOptions> DecodeJobOptions(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("job options: not a JSON object");
  JobOptions o;
  try {
    o.delay_ms = j.value("delay_ms", int64_t{0});
    o.priority = j.value("priority", 0);
    o.attempts = j.value("attempts", 1);
    o.backoff.type = j.value("backoff_type", std::string("fixed")) == "exponential"
                         ? Backoff::Type::kExponential
                         : Backoff::Type::kFixed;
    o.backoff.delay_ms = j.value("backoff_ms", int64_t{0});
    o.group = j.value("group", std::string());
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("job options: ") + e.what());
  }
  return o;
}

Result<AddResult> AppendOutboxJob(Db* db, std::string_view queue, std::string_view name,
                                  std::string_view payload, const JobOptions& options, TimeMs now) {
  VIGIL_RETURN_IF_ERROR(ValidateJobToAdd(name, payload, options));
  const std::string job_id = options.job_id.empty() ? "job-" + NewTraceId() : options.job_id;
  VIGIL_ASSIGN_OR_RETURN(auto st, db->Prepare(
                                      "INSERT INTO job_outbox (queue, job_id, name, payload, "
                                      "options, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                                      "ON CONFLICT (queue, job_id) DO NOTHING"));
  st->BindText(1, queue);
  st->BindText(2, job_id);
  st->BindText(3, name);
  st->BindText(4, payload);
  st->BindText(5, EncodeJobOptions(options));
  st->BindInt(6, now);
  VIGIL_RETURN_IF_ERROR(st->Execute().Prefixed("job outbox"));
  return AddResult{job_id, st->Changes() > 0};
}

Result<OutboxJob> GetOutboxJob(Db* db, std::string_view queue, std::string_view job_id) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db->Prepare("SELECT " + std::string(kColumns) +
                                              " FROM job_outbox WHERE queue = ? AND job_id = ?"));
  st->BindText(1, queue);
  st->BindText(2, job_id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::NotFound("job outbox: no job \"" + std::string(job_id) + "\"");
  return ReadRow(*st);
}

Status MarkOutboxRelayed(Db* db, std::string_view queue, std::string_view job_id,
                         std::string_view to, TimeMs now) {
  return db->Execute(
      "UPDATE job_outbox SET relayed_at = COALESCE(relayed_at, ?), relayed_to = ? "
      "WHERE queue = ? AND job_id = ?",
      {int64_t{now}, std::string(to), std::string(queue), std::string(job_id)});
}

Result<bool> MarkOutboxFinished(Db* db, std::string_view queue, std::string_view job_id,
                                std::string_view outcome, TimeMs now, int64_t claim_token) {
  VIGIL_ASSIGN_OR_RETURN(
      auto st, db->Prepare("UPDATE job_outbox SET finished_at = ?, outcome = ?, run_until = NULL "
                           "WHERE queue = ? AND job_id = ? AND finished_at IS NULL AND "
                           "((? = 0 AND (run_until IS NULL OR run_until <= ?)) OR "
                           "(? <> 0 AND run_token = ?))"));
  st->BindInt(1, now);
  st->BindText(2, outcome);
  st->BindText(3, queue);
  st->BindText(4, job_id);
  st->BindInt(5, claim_token);
  st->BindInt(6, now);
  st->BindInt(7, claim_token);
  st->BindInt(8, claim_token);
  VIGIL_RETURN_IF_ERROR(st->Execute());
  return st->Changes() > 0;
}

Status ReopenOutboxJob(Db* db, std::string_view queue, std::string_view job_id) {
  return db->Execute(
      "UPDATE job_outbox SET finished_at = NULL, outcome = NULL WHERE queue = ? AND job_id = ?",
      {std::string(queue), std::string(job_id)});
}

Result<std::vector<OutboxJob>> ListUnfinishedOutboxJobs(Db* db, std::string_view queue,
                                                        TimeMs created_before, TimeMs now,
                                                        int64_t after_id, int limit) {
  VIGIL_ASSIGN_OR_RETURN(
      auto st, db->Prepare("SELECT " + std::string(kColumns) +
                           " FROM job_outbox WHERE queue = ? AND finished_at IS NULL AND id > ? "
                           "AND created_at <= ? AND (run_until IS NULL OR run_until <= ?) "
                           "ORDER BY id LIMIT ?"));
  st->BindText(1, queue);
  st->BindInt(2, after_id);
  st->BindInt(3, created_before);
  st->BindInt(4, now);
  st->BindInt(5, limit);
  std::vector<OutboxJob> jobs;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    VIGIL_ASSIGN_OR_RETURN(OutboxJob job, ReadRow(*st));
    jobs.push_back(std::move(job));
  }
  return jobs;
}

Result<RunClaim> ClaimJobRun(Db* db, std::string_view queue, std::string_view job_id,
                             std::string_view backend, std::string_view owner, TimeMs until,
                             TimeMs now) {
  Transaction tx(db);
  VIGIL_RETURN_IF_ERROR(tx.status());
  VIGIL_ASSIGN_OR_RETURN(
      auto claim, db->Prepare("UPDATE job_outbox SET run_backend = ?, run_owner = ?, "
                              "run_until = ?, run_token = run_token + 1 "
                              "WHERE queue = ? AND job_id = ? AND finished_at IS NULL AND "
                              "(run_until IS NULL OR run_until <= ?)"));
  claim->BindText(1, backend);
  claim->BindText(2, owner);
  claim->BindInt(3, until);
  claim->BindText(4, queue);
  claim->BindText(5, job_id);
  claim->BindInt(6, now);
  VIGIL_RETURN_IF_ERROR(claim->Execute());
  const bool claimed = claim->Changes() > 0;
  VIGIL_ASSIGN_OR_RETURN(auto st, db->Prepare("SELECT finished_at, run_token FROM job_outbox "
                                              "WHERE queue = ? AND job_id = ?"));
  st->BindText(1, queue);
  st->BindText(2, job_id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st->Step());
  RunClaim result;
  if (!row) {
    result.outcome = ClaimOutcome::kNotInOutbox;
  } else if (claimed) {
    result.outcome = ClaimOutcome::kClaimed;
    result.token = st->Int(1);
  } else {
    result.outcome = st->IsNull(0) ? ClaimOutcome::kHeldElsewhere : ClaimOutcome::kFinished;
  }
  st->Reset();
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return result;
}

Result<bool> ExtendJobRun(Db* db, std::string_view queue, std::string_view job_id,
                          int64_t token, TimeMs until) {
  VIGIL_ASSIGN_OR_RETURN(
      auto st, db->Prepare("UPDATE job_outbox SET run_until = ? WHERE queue = ? AND job_id = ? "
                           "AND run_token = ? AND finished_at IS NULL"));
  st->BindInt(1, until);
  st->BindText(2, queue);
  st->BindText(3, job_id);
  st->BindInt(4, token);
  VIGIL_RETURN_IF_ERROR(st->Execute());
  return st->Changes() > 0;
}

Result<bool> HoldsJobRun(Db* db, std::string_view queue, std::string_view job_id,
                         int64_t token) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db->Prepare("SELECT run_token, finished_at FROM job_outbox "
                                              "WHERE queue = ? AND job_id = ?"));
  st->BindText(1, queue);
  st->BindText(2, job_id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st->Step());
  return row && st->Int(0) == token && st->IsNull(1);
}

Status ReleaseJobRun(Db* db, std::string_view queue, std::string_view job_id, int64_t token) {
  return db->Execute(
      "UPDATE job_outbox SET run_until = NULL WHERE queue = ? AND job_id = ? AND run_token = ?",
      {std::string(queue), std::string(job_id), int64_t{token}});
}

Result<int64_t> CountUnfinishedOutboxJobs(Db* db) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<int64_t> jobs,
                         db->QueryInt("SELECT COUNT(*) FROM job_outbox WHERE finished_at IS NULL"));
  return jobs.value_or(0);
}

}  // namespace vigil
