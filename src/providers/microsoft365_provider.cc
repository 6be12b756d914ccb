#include "providers/microsoft365_provider.h"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>

#include "providers/graph_delta_parse.h"
#include "providers/graph_link.h"
#include "providers/graph_parse.h"
#include "providers/group_members.h"

namespace vigil {
namespace {

// The properties of users.json (docs/ARCHITECTURE.md, "The Graph directory
// format"); delta cannot give signInActivity.
constexpr char kUserProperties[] =
    "id,displayName,userPrincipalName,accountEnabled,userType,assignedLicenses,createdDateTime";
constexpr char kSignInProperty[] = "signInActivity";

// The endpoints read in full, one per kind (users apart). The two that grow
// with the tenant ask for Graph's largest page (999; the default is 100).
struct Endpoint {
  EntityKind kind;
  const char* path;
};
constexpr Endpoint kEndpoints[] = {
    {EntityKind::kSku, "/subscribedSkus"},
    {EntityKind::kRegistration, "/reports/authenticationMethods/userRegistrationDetails?$top=999"},
    {EntityKind::kRole, "/roleManagement/directory/roleAssignments?$expand=principal"},
    {EntityKind::kPolicy, "/identity/conditionalAccess/policies"},
    {EntityKind::kSetting, "/policies/identitySecurityDefaultsEnforcementPolicy"},
    {EntityKind::kGroup, "/groups?$select=id,displayName,securityEnabled&$top=999"},
};

// "userRegistrationDetails" for kRegistration: the directory file's name
// without ".json", how reasons name an endpoint.
std::string EndpointName(EntityKind kind) {
  std::string file(KindFile(kind));
  const size_t dot = file.rfind(".json");
  return dot == std::string::npos ? file : file.substr(0, dot);
}

// What this provider remembers between syncs (Snapshot::cursor).
struct UsersCursor {
  std::string delta_link;           // "" = none: the next sync is a full one
  TimeMs full_at = 0;               // when the last full users read started
  std::string sign_in_unavailable;  // why kSignIn was not available then ("" = it was)
};

std::string EncodeCursor(const UsersCursor& cursor) {
  nlohmann::json json = nlohmann::json::object();
  json["delta_link"] = cursor.delta_link;
  json["full_at"] = cursor.full_at;
  if (!cursor.sign_in_unavailable.empty()) {
    json["sign_in_unavailable"] = cursor.sign_in_unavailable;
  }
  return json.dump();
}

// nullopt for "" or anything that is not a cursor of ours (then the sync is
// a full one, which makes a new cursor).
std::optional<UsersCursor> DecodeCursor(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  auto link = json.find("delta_link");
  auto full_at = json.find("full_at");
  if (link == json.end() || !link->is_string() || full_at == json.end() ||
      !full_at->is_number_integer()) {
    return std::nullopt;
  }
  UsersCursor cursor;
  cursor.delta_link = link->get<std::string>();
  cursor.full_at = full_at->get<TimeMs>();
  auto reason = json.find("sign_in_unavailable");
  if (reason != json.end() && reason->is_string()) {
    cursor.sign_in_unavailable = reason->get<std::string>();
  }
  return cursor;
}

template <typename T>
void AppendAll(std::vector<T>* into, std::vector<T>* from) {
  if (into->empty()) {
    into->swap(*from);
  } else {
    into->insert(into->end(), std::make_move_iterator(from->begin()),
                 std::make_move_iterator(from->end()));
  }
  from->clear();
}

// Moves every record of `from` to the end of `into`'s lists.
void AppendRecords(Snapshot* into, Snapshot* from) {
  AppendAll(&into->users, &from->users);
  AppendAll(&into->skus, &from->skus);
  AppendAll(&into->registrations, &from->registrations);
  AppendAll(&into->roles, &from->roles);
  AppendAll(&into->role_assignments, &from->role_assignments);
  AppendAll(&into->policies, &from->policies);
  AppendAll(&into->groups, &from->groups);
  if (from->security_defaults) into->security_defaults = std::move(from->security_defaults);
}

bool IsRefusal(const GraphError& error, int http_status) {
  return error.http_status == http_status;
}

class Microsoft365Provider final : public Provider {
 public:
  Microsoft365Provider(Microsoft365Options options, std::shared_ptr<HttpClient> http,
                       std::unique_ptr<GraphClient> client, std::unique_ptr<Clock> own_clock)
      : options_(std::move(options)),
        http_(std::move(http)),
        client_(std::move(client)),
        own_clock_(std::move(own_clock)),
        clock_(options_.clock != nullptr ? options_.clock : own_clock_.get()) {}

  std::string name() const override { return "microsoft365"; }

  Result<Snapshot> Fetch() override {
    constexpr size_t kTasks = 1 + std::size(kEndpoints);
    std::vector<Snapshot> parts(kTasks);
    std::vector<Status> statuses(kTasks);
    std::vector<std::thread> threads;
    threads.reserve(kTasks);
    threads.emplace_back([&] { statuses[0] = FetchUsers(&parts[0]); });
    for (size_t i = 0; i < std::size(kEndpoints); ++i) {
      threads.emplace_back([&, i] { statuses[i + 1] = FetchKind(kEndpoints[i], &parts[i + 1]); });
    }
    for (std::thread& t : threads) t.join();
    for (const Status& status : statuses) VIGIL_RETURN_IF_ERROR(status);

    Snapshot snapshot;
    for (Snapshot& part : parts) {
      AppendRecords(&snapshot, &part);
      for (auto& [kind, availability] : part.availability) {
        snapshot.availability[kind] = std::move(availability);
      }
      if (!part.cursor.empty()) snapshot.cursor = std::move(part.cursor);
    }
    return snapshot;
  }

 private:
  // Reads one endpoint in full into `part`.
  Status FetchKind(const Endpoint& endpoint, Snapshot* part) {
    const EntityKind kind = endpoint.kind;
    GraphError error;
    Result<std::string> done = client_->GetPages(
        endpoint.path,
        [&](const GraphPage& page) -> Status {
          Snapshot records;
          VIGIL_RETURN_IF_ERROR(ParseKindFile(kind, page.name, *page.body, &records));
          records.roles.clear();  // derived from all pages' assignments below
          AppendRecords(part, &records);
          return Status::Ok();
        },
        &error);
    if (!done.ok()) {
      const std::string name = EndpointName(kind);
      if (done.status().code() == Code::kPermissionDenied && IsRefusal(error, 403)) {
        *part = Snapshot();
        part->availability[kind] = {false, name + ": permission missing: " + error.Summary()};
        return Status::Ok();
      }
      if (kind == EntityKind::kGroup && done.status().code() == Code::kNotFound &&
          IsRefusal(error, 404)) {
        *part = Snapshot();
        part->availability[kind] = {false, name + ": not found: " + error.Summary()};
        return Status::Ok();
      }
      return done.status();
    }
    if (kind == EntityKind::kRole) part->roles = DeriveRoles(part->role_assignments);
    part->availability[kind] = {true, ""};
    if (kind == EntityKind::kGroup) return FetchGroupMembers(part);
    return Status::Ok();
  }

  // The members of the security groups of part->groups (group_members.h),
  // a request series per group, on up to max_concurrent_requests threads. A
  // 403 or 404 for one group makes groups not available with the reason of
  // the first such group (in groups order), never a group without members;
  // any other failure fails the Fetch. After a failure no further group is
  // asked.
  Status FetchGroupMembers(Snapshot* part) {
    std::vector<GroupRecord*> groups;
    for (GroupRecord& group : part->groups) {
      if (ReadsMembersOf(group)) groups.push_back(&group);
    }
    std::vector<Status> statuses(groups.size());
    std::vector<GraphError> errors(groups.size());
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    auto work = [&] {
      for (size_t i = next++; i < groups.size() && !failed; i = next++) {
        statuses[i] = ReadGroupMembers(groups[i], &errors[i]);
        if (!statuses[i].ok()) failed = true;
      }
    };
    if (groups.empty()) return Status::Ok();
    const size_t workers = std::min(
        groups.size(), static_cast<size_t>(std::max(1, options_.graph.max_concurrent_requests)));
    std::vector<std::thread> threads;
    for (size_t t = 1; t < workers; ++t) {
      try {
        threads.emplace_back(work);
      } catch (const std::system_error&) {
        break;  // fewer helpers: this thread reads what they would have
      }
    }
    work();
    for (std::thread& t : threads) t.join();

    for (size_t i = 0; i < groups.size(); ++i) {
      const Status& status = statuses[i];
      if (status.ok()) continue;
      const std::string name = "groupMembers/" + groups[i]->id;
      const GraphError& error = errors[i];
      if (status.code() == Code::kPermissionDenied && IsRefusal(error, 403)) {
        *part = Snapshot();
        part->availability[EntityKind::kGroup] = {
            false, name + ": permission missing: " + error.Summary()};
        return Status::Ok();
      }
      if (status.code() == Code::kNotFound && IsRefusal(error, 404)) {
        *part = Snapshot();
        part->availability[EntityKind::kGroup] = {false, name + ": not found: " + error.Summary()};
        return Status::Ok();
      }
      return status;
    }
    return Status::Ok();
  }

  // One group's members, every page, sorted and unique.
  Status ReadGroupMembers(GroupRecord* group, GraphError* error) {
    group->member_ids.clear();
    std::vector<std::string> page_ids;
    Result<std::string> done = client_->GetPages(
        GroupMembersRequest(group->id),
        [&](const GraphPage& page) -> Status {
          VIGIL_RETURN_IF_ERROR(ParseGroupMembers(page.name, *page.body, &page_ids));
          AppendAll(&group->member_ids, &page_ids);
          return Status::Ok();
        },
        error);
    if (!done.ok()) return done.status();
    std::sort(group->member_ids.begin(), group->member_ids.end());
    group->member_ids.erase(std::unique(group->member_ids.begin(), group->member_ids.end()),
                            group->member_ids.end());
    return Status::Ok();
  }

  // Users (and kSignIn, and the cursor) into `part`: incremental when the
  // cursor allows, else full.
  Status FetchUsers(Snapshot* part) {
    const TimeMs now = clock_->NowMs();
    const std::optional<UsersCursor> previous = DecodeCursor(options_.cursor);
    // A delta link of another Graph (the data source moved to another
    // cloud) is not sent anything: a full read makes a new one.
    if (previous && !previous->delta_link.empty() && options_.stored_users &&
        now >= previous->full_at && now - previous->full_at < options_.full_sync_every_ms &&
        UrlOrigin(previous->delta_link) == UrlOrigin(options_.graph.graph_url)) {
      Result<bool> incremental = IncrementalUsers(*previous, part);
      if (!incremental.ok()) return incremental.status();
      if (*incremental) return Status::Ok();
      *part = Snapshot();
    }
    return FullUsers(now, part);
  }

  std::string UsersUrl(bool with_sign_in) const {
    std::string url = std::string("/users?$select=") + kUserProperties;
    if (with_sign_in) url += std::string(",") + kSignInProperty;
    return url + "&$top=" + std::to_string(options_.users_page_size);
  }

  // The paged /users read, appended to part->users.
  Status ReadUsers(bool with_sign_in, Snapshot* part, GraphError* error) {
    part->users.clear();
    std::vector<UserRecord> page_users;
    Result<std::string> done = client_->GetPages(
        UsersUrl(with_sign_in),
        [&](const GraphPage& page) -> Status {
          VIGIL_RETURN_IF_ERROR(ParseUsers(page.name, *page.body, &page_users));
          AppendAll(&part->users, &page_users);
          return Status::Ok();
        },
        error);
    if (!done.ok()) part->users.clear();
    return done.ok() ? Status::Ok() : done.status();
  }

  Status FullUsers(TimeMs now, Snapshot* part) {
    UsersCursor cursor;
    cursor.full_at = now;
    // A delta link for "now" before the read: changes made while the users
    // are read show up in the next delta.
    GraphError delta_error;
    Result<std::string> link = client_->GetPages(
        std::string("/users/delta?$select=") + kUserProperties + "&$deltatoken=latest",
        [](const GraphPage&) { return Status::Ok(); }, &delta_error);
    if (link.ok()) {
      cursor.delta_link = *link;
    } else if (!GraphDeltaRefused(link.status(), delta_error)) {
      return link.status();
    }

    Availability users{true, ""};
    Availability sign_ins{true, ""};
    GraphError error;
    Status read = ReadUsers(/*with_sign_in=*/true, part, &error);
    if (!read.ok()) {
      if (read.code() != Code::kPermissionDenied || !IsRefusal(error, 403)) return read;
      // Most likely a tenant without Entra ID P1: the users without sign-ins.
      sign_ins = {false, "signInActivity: permission missing: " + error.Summary()};
      GraphError plain_error;
      read = ReadUsers(/*with_sign_in=*/false, part, &plain_error);
      if (!read.ok()) {
        if (read.code() != Code::kPermissionDenied || !IsRefusal(plain_error, 403)) return read;
        users = {false, EndpointName(EntityKind::kUser) +
                            ": permission missing: " + plain_error.Summary()};
        cursor.delta_link.clear();
      }
    }
    cursor.sign_in_unavailable = sign_ins.available ? "" : sign_ins.reason;
    part->availability[EntityKind::kUser] = std::move(users);
    part->availability[EntityKind::kSignIn] = std::move(sign_ins);
    part->cursor = EncodeCursor(cursor);
    return Status::Ok();
  }

  // True when the users came from the delta link and the stored users; false
  // when Graph refused the link (a full read must follow).
  Result<bool> IncrementalUsers(const UsersCursor& previous, Snapshot* part) {
    std::vector<UserDeltaEntry> changes;
    std::vector<UserDeltaEntry> page_changes;
    GraphError error;
    Result<std::string> link = client_->GetPages(
        previous.delta_link,
        [&](const GraphPage& page) -> Status {
          VIGIL_RETURN_IF_ERROR(ParseUserDelta(page.name, *page.body, &page_changes));
          AppendAll(&changes, &page_changes);
          return Status::Ok();
        },
        &error);
    if (!link.ok()) {
      if (GraphDeltaRefused(link.status(), error)) return false;
      return link.status();
    }
    Result<std::vector<UserRecord>> stored = options_.stored_users();
    if (!stored.ok()) return stored.status().Prefixed("stored users");
    part->users = Merge(std::move(stored).value(), &changes);

    UsersCursor cursor = previous;
    cursor.delta_link = *link;
    part->availability[EntityKind::kUser] = {true, ""};
    part->availability[EntityKind::kSignIn] = {cursor.sign_in_unavailable.empty(),
                                               cursor.sign_in_unavailable};
    part->cursor = EncodeCursor(cursor);
    return true;
  }

  // The stored users with the delta's changes applied in order: stored order,
  // new users at the end.
  static std::vector<UserRecord> Merge(std::vector<UserRecord> users,
                                       std::vector<UserDeltaEntry>* changes) {
    std::unordered_map<std::string, size_t> index;
    index.reserve(users.size() + changes->size());
    for (size_t i = 0; i < users.size(); ++i) index[users[i].id] = i;
    std::vector<bool> dropped(users.size(), false);
    for (UserDeltaEntry& change : *changes) {
      auto it = index.find(change.user.id);
      if (change.removed) {
        if (it != index.end()) {
          dropped[it->second] = true;
          index.erase(it);
        }
        continue;
      }
      if (it != index.end()) {
        UserRecord& user = users[it->second];
        const std::optional<TimeMs> last_sign_in = user.last_sign_in;
        const std::optional<TimeMs> last_successful = user.last_successful_sign_in;
        user = std::move(change.user);
        user.last_sign_in = last_sign_in;
        user.last_successful_sign_in = last_successful;
      } else {
        index.emplace(change.user.id, users.size());
        users.push_back(std::move(change.user));
        dropped.push_back(false);
      }
    }
    size_t kept = 0;
    for (size_t i = 0; i < users.size(); ++i) {
      if (dropped[i]) continue;
      if (kept != i) users[kept] = std::move(users[i]);
      ++kept;
    }
    users.resize(kept);
    return users;
  }

  const Microsoft365Options options_;
  const std::shared_ptr<HttpClient> http_;  // kept alive for client_
  const std::unique_ptr<GraphClient> client_;
  const std::unique_ptr<Clock> own_clock_;
  const Clock* const clock_;
};

}  // namespace

bool GraphDeltaRefused(const Status& status, const GraphError& error) {
  if (status.code() == Code::kUnavailable || status.code() == Code::kInternal) return false;
  return error.http_status == 410 || error.http_status == 400 || error.http_status == 403 ||
         error.http_status == 404;
}

Result<std::unique_ptr<Provider>> NewMicrosoft365Provider(Microsoft365Options options,
                                                          std::shared_ptr<HttpClient> http) {
  if (options.users_page_size < 1 || options.users_page_size > 999) {
    return Status::InvalidArgument("microsoft365: users_page_size must be in 1..999, not " +
                                   std::to_string(options.users_page_size));
  }
  if (http == nullptr) {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> curl, NewCurlHttpClient(options.http));
    http = std::move(curl);
  }
  std::unique_ptr<Clock> own_clock = options.clock == nullptr ? NewSystemClock() : nullptr;
  if (options.graph.clock == nullptr) {
    options.graph.clock = options.clock != nullptr ? options.clock : own_clock.get();
  }
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<GraphClient> client,
                         GraphClient::Create(options.credentials, options.graph, http.get()));
  return std::unique_ptr<Provider>(new Microsoft365Provider(
      std::move(options), std::move(http), std::move(client), std::move(own_clock)));
}

}  // namespace vigil
