// The "stale" analysis type:
//   stale.user   enabled member that is stale (see IsStale; IsStaleV2 in version 2)
//   stale.guest  enabled guest that is stale
// Details hold the sign-in and creation times, not the days of inactivity,
// so that an open alert's details change only when the facts do.
#include <string>
#include <vector>

#include "analysis/alert_types.h"
#include "analysis/analyzer_support.h"
#include "analysis/analyzers.h"
#include "common/json_writer.h"

namespace vigil {
namespace {

class StaleAnalyzer final : public Analyzer {
 public:
  explicit StaleAnalyzer(int version) : version_(version) {}

  std::string_view type() const override { return kAnalysisStale; }
  int version() const override { return version_; }

  std::vector<EntityKind> needs() const override {
    return {EntityKind::kUser, EntityKind::kSignIn};
  }

  Status Analyze(const DataContext& ctx, std::vector<Finding>* out) const override {
    const bool want_member = AlertTypeEnabled(ctx, kStaleUser);
    const bool want_guest = AlertTypeEnabled(ctx, kStaleGuest);
    const size_t first = out->size();
    for (const UserRecord& user : ctx.users) {
      if (!user.enabled || !(user.guest ? want_guest : want_member)) continue;
      const int days = ctx.preferences.stale_days;
      if (!(version_ >= 2 ? IsStaleV2(user, ctx.now, days) : IsStale(user, ctx.now, days))) {
        continue;
      }
      out->push_back(MakeFinding(user.guest ? kStaleGuest : kStaleUser, user.id, user.upn,
                                 JsonObjectWriter()
                                     .String("upn", user.upn)
                                     .String("display_name", user.display_name)
                                     .Time("last_sign_in", user.last_sign_in)
                                     .Time("created", user.created)
                                     .Finish()));
    }
    SortFindings(out, first);
    return Status::Ok();
  }

 private:
  const int version_;
};

}  // namespace

std::unique_ptr<Analyzer> NewStaleAnalyzer() { return std::make_unique<StaleAnalyzer>(1); }
std::unique_ptr<Analyzer> NewStaleAnalyzerV2() { return std::make_unique<StaleAnalyzer>(2); }

}  // namespace vigil
