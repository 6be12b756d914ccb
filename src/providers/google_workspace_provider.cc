#include "providers/google_workspace_provider.h"

#include <iterator>
#include <thread>
#include <utility>

#include "providers/google_kinds.h"
#include "providers/google_parse.h"

namespace vigil {
namespace {

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

std::string DirectoryCustomer(const GoogleWorkspaceOptions& options) {
  return options.customer_id.empty() ? "my_customer" : options.customer_id;
}

std::string LicensingCustomer(const GoogleWorkspaceOptions& options) {
  if (!options.customer_id.empty() && options.customer_id != "my_customer") {
    return options.customer_id;
  }
  const std::string& email = options.credentials.admin_email;
  return email.substr(email.find('@') + 1);
}

std::string Query(const std::string& value) { return FormEncode({{"", value}}).substr(1); }

// A refusal that only means "this data is not available": a 403 that is not
// throttling (the client retries those, then fails Unavailable).
bool PermissionMissing(const Status& status, const GoogleError& error) {
  return status.code() == Code::kPermissionDenied && error.http_status == 403;
}

std::string Missing(const std::string& endpoint, const GoogleError& error,
                    std::string_view scope) {
  return endpoint + ": permission missing: " + error.Summary() + ": needs scope " +
         std::string(scope);
}

class GoogleWorkspaceProvider final : public Provider {
 public:
  GoogleWorkspaceProvider(GoogleWorkspaceOptions options, std::shared_ptr<HttpClient> http,
                          std::unique_ptr<GoogleClient> client)
      : options_(std::move(options)), http_(std::move(http)), client_(std::move(client)) {}

  std::string name() const override { return "google_workspace"; }

  Result<Snapshot> Fetch() override {
    Snapshot users, roles, licenses;
    std::vector<GoogleLicenseAssignment> assignments;
    Status users_status, roles_status, licenses_status;
    std::thread roles_thread([&] { roles_status = FetchRoles(&roles); });
    std::thread licenses_thread([&] { licenses_status = FetchLicenses(&assignments, &licenses); });
    users_status = FetchUsers(&users);
    roles_thread.join();
    licenses_thread.join();
    for (const Status* status : {&users_status, &roles_status, &licenses_status}) {
      VIGIL_RETURN_IF_ERROR(*status);
    }

    Snapshot snapshot;
    snapshot.users = std::move(users.users);
    snapshot.registrations = std::move(users.registrations);
    snapshot.roles = std::move(roles.roles);
    snapshot.role_assignments = std::move(roles.role_assignments);
    for (Snapshot* part : {&users, &roles, &licenses}) {
      for (auto& [kind, availability] : part->availability) {
        snapshot.availability[kind] = std::move(availability);
      }
    }
    if (snapshot.Has(EntityKind::kSku)) {
      ApplyGoogleLicenses(assignments, &snapshot.users, &snapshot.skus);
    }
    MarkGoogleAbsentKinds(&snapshot);
    return snapshot;
  }

 private:
  Status FetchUsers(Snapshot* part) {
    GoogleError error;
    std::vector<UserRecord> users;
    std::vector<RegistrationRecord> registrations;
    Status done = client_->GetPages(
        GoogleUsersUrl(options_, options_.users_page_size),
        [&](const GooglePage& page, std::string* next) {
          VIGIL_RETURN_IF_ERROR(ParseGoogleUsers(page.name, *page.body, &users, &registrations, next));
          AppendAll(&part->users, &users);
          AppendAll(&part->registrations, &registrations);
          return Status::Ok();
        },
        &error);
    Availability availability{true, ""};
    if (!done.ok()) {
      if (!PermissionMissing(done, error)) return done;
      *part = Snapshot();
      availability = {false, Missing("users", error, kGoogleUserScope)};
    }
    for (EntityKind kind : {EntityKind::kUser, EntityKind::kRegistration, EntityKind::kSignIn}) {
      part->availability[kind] = availability;
    }
    return Status::Ok();
  }

  Status FetchRoles(Snapshot* part) {
    GoogleError error;
    std::vector<RoleRecord> roles;
    Status done = client_->GetPages(
        GoogleRolesUrl(options_, 100),
        [&](const GooglePage& page, std::string* next) {
          VIGIL_RETURN_IF_ERROR(ParseGoogleRoles(page.name, *page.body, &roles, next));
          AppendAll(&part->roles, &roles);
          return Status::Ok();
        },
        &error);
    std::string endpoint = "roles";
    if (done.ok()) {
      std::vector<RoleAssignmentRecord> assignments;
      endpoint = "roleAssignments";
      done = client_->GetPages(
          GoogleRoleAssignmentsUrl(options_, 200),
          [&](const GooglePage& page, std::string* next) {
            VIGIL_RETURN_IF_ERROR(
                ParseGoogleRoleAssignments(page.name, *page.body, &assignments, next));
            AppendAll(&part->role_assignments, &assignments);
            return Status::Ok();
          },
          &error);
    }
    if (!done.ok()) {
      if (!PermissionMissing(done, error)) return done;
      *part = Snapshot();
      part->availability[EntityKind::kRole] = {false, Missing(endpoint, error, kGoogleRoleScope)};
      return Status::Ok();
    }
    part->availability[EntityKind::kRole] = {true, ""};
    return Status::Ok();
  }

  Status FetchLicenses(std::vector<GoogleLicenseAssignment>* all, Snapshot* part) {
    std::vector<GoogleLicenseAssignment> page_assignments;
    for (const std::string& product : options_.products) {
      GoogleError error;
      Status done = client_->GetPages(
          GoogleLicensesUrl(options_, product, 1000),
          [&](const GooglePage& page, std::string* next) {
            VIGIL_RETURN_IF_ERROR(
                ParseGoogleLicenseAssignments(page.name, *page.body, &page_assignments, next));
            AppendAll(all, &page_assignments);
            return Status::Ok();
          },
          &error);
      if (done.ok()) continue;
      if (!PermissionMissing(done, error)) return done;
      all->clear();
      part->availability[EntityKind::kSku] = {
          false, Missing("licenseAssignments/" + product, error, kGoogleLicenseScope)};
      return Status::Ok();
    }
    part->availability[EntityKind::kSku] = {true, ""};
    return Status::Ok();
  }

  const GoogleWorkspaceOptions options_;
  const std::shared_ptr<HttpClient> http_;  // kept alive for client_
  const std::unique_ptr<GoogleClient> client_;
};

}  // namespace

std::string GoogleUsersUrl(const GoogleWorkspaceOptions& options, int page_size) {
  return options.google.api_url + "/admin/directory/v1/users?customer=" +
         Query(DirectoryCustomer(options)) + "&projection=full&maxResults=" +
         std::to_string(page_size);
}

std::string GoogleRolesUrl(const GoogleWorkspaceOptions& options, int page_size) {
  return options.google.api_url + "/admin/directory/v1/customer/" +
         Query(DirectoryCustomer(options)) + "/roles?maxResults=" + std::to_string(page_size);
}

std::string GoogleRoleAssignmentsUrl(const GoogleWorkspaceOptions& options, int page_size) {
  return options.google.api_url + "/admin/directory/v1/customer/" +
         Query(DirectoryCustomer(options)) +
         "/roleassignments?maxResults=" + std::to_string(page_size);
}

std::string GoogleLicensesUrl(const GoogleWorkspaceOptions& options, const std::string& product,
                              int page_size) {
  return options.google.licensing_url + "/apps/licensing/v1/product/" + Query(product) +
         "/users?customerId=" + Query(LicensingCustomer(options)) +
         "&maxResults=" + std::to_string(page_size);
}

Result<std::unique_ptr<Provider>> NewGoogleWorkspaceProvider(GoogleWorkspaceOptions options,
                                                             std::shared_ptr<HttpClient> http) {
  if (options.users_page_size < 1 || options.users_page_size > 500) {
    return Status::InvalidArgument("google_workspace: users_page_size must be in 1..500, not " +
                                   std::to_string(options.users_page_size));
  }
  if (options.products.empty()) {
    return Status::InvalidArgument("google_workspace: no License Manager product to read");
  }
  for (const std::string& product : options.products) {
    if (product.empty() || product.find_first_of("/?#%") != std::string::npos) {
      return Status::InvalidArgument("google_workspace: product \"" + product +
                                     "\" is not a License Manager product id");
    }
  }
  if (http == nullptr) {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> curl, NewCurlHttpClient(options.http));
    http = std::move(curl);
  }
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<GoogleClient> client,
                         GoogleClient::Create(options.credentials, options.google, http.get()));
  // The URLs as the client resolved them (trailing slashes gone).
  options.google = client->options();
  return std::unique_ptr<Provider>(
      new GoogleWorkspaceProvider(std::move(options), std::move(http), std::move(client)));
}

}  // namespace vigil
