// The "license" analysis type, one alert per SKU each:
//   license.unused         prepaidUnits.enabled - consumedUnits > 0
//   license.overassigned   consumedUnits > prepaidUnits.enabled
//   license.disabled_user  the SKU is assigned to at least one disabled user
#include <string>
#include <vector>

#include "analysis/alert_types.h"
#include "analysis/analyzer_support.h"
#include "analysis/analyzers.h"
#include "common/json_writer.h"

namespace vigil {
namespace {

class LicenseAnalyzer final : public Analyzer {
 public:
  std::string_view type() const override { return kAnalysisLicense; }

  std::vector<EntityKind> needs() const override { return {EntityKind::kUser, EntityKind::kSku}; }

  Status Analyze(const DataContext& ctx, std::vector<Finding>* out) const override {
    VIGIL_RETURN_IF_ERROR(CheckIndexes(ctx));
    const size_t first = out->size();
    AnalyzeUnits(ctx, out);
    if (AlertTypeEnabled(ctx, kLicenseDisabledUser)) AnalyzeDisabledUsers(ctx, out);
    SortFindings(out, first);
    return Status::Ok();
  }

 private:
  static void AnalyzeUnits(const DataContext& ctx, std::vector<Finding>* out) {
    const bool want_unused = AlertTypeEnabled(ctx, kLicenseUnused);
    const bool want_over = AlertTypeEnabled(ctx, kLicenseOverassigned);
    for (const SkuRecord& sku : ctx.skus) {
      const int64_t unused = sku.enabled_units - sku.consumed_units;
      if (unused > 0 && want_unused) {
        out->push_back(MakeFinding(kLicenseUnused, sku.id, sku.part_number,
                                   JsonObjectWriter()
                                       .String("sku", sku.part_number)
                                       .Int("enabled", sku.enabled_units)
                                       .Int("consumed", sku.consumed_units)
                                       .Int("unused", unused)
                                       .Finish()));
      }
      if (unused < 0 && want_over) {
        out->push_back(MakeFinding(kLicenseOverassigned, sku.id, sku.part_number,
                                   JsonObjectWriter()
                                       .String("sku", sku.part_number)
                                       .Int("enabled", sku.enabled_units)
                                       .Int("consumed", sku.consumed_units)
                                       .Int("overassigned", -unused)
                                       .Finish()));
      }
    }
  }

  static void AnalyzeDisabledUsers(const DataContext& ctx, std::vector<Finding>* out) {
    // Disabled users per SKU (index into ctx.skus); few SKUs, so one vector each.
    std::vector<std::vector<uint32_t>> holders(ctx.skus.size());
    for (uint32_t u = 0; u < ctx.users.size(); ++u) {
      if (ctx.users[u].enabled) continue;
      for (uint32_t s : ctx.user_skus[u]) {
        if (holders[s].empty() || holders[s].back() != u) holders[s].push_back(u);
      }
    }
    for (uint32_t s = 0; s < ctx.skus.size(); ++s) {
      if (holders[s].empty()) continue;
      std::vector<std::string> upns;
      upns.reserve(holders[s].size());
      for (uint32_t u : holders[s]) upns.push_back(ctx.users[u].upn);
      SortAndCap(&upns);
      const SkuRecord& sku = ctx.skus[s];
      out->push_back(MakeFinding(kLicenseDisabledUser, sku.id, sku.part_number,
                                 JsonObjectWriter()
                                     .String("sku", sku.part_number)
                                     .Int("disabled_users", static_cast<int64_t>(holders[s].size()))
                                     .Strings("users", upns)
                                     .Finish()));
    }
  }
};

}  // namespace

std::unique_ptr<Analyzer> NewLicenseAnalyzer() { return std::make_unique<LicenseAnalyzer>(); }

}  // namespace vigil
