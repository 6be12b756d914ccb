// Source scope: what the UnifiedAnalyzer does with a batch's findings
// because a tenant's data comes from data sources of different providers
// (docs/ARCHITECTURE.md, "Several providers in one tenant"). The analyzers
// stay provider-neutral; these steps read only the DataContext's sources,
// their gaps (providers/coverage.h) and the linked persons.
// Thread-safe: pure functions of their arguments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analysis/finding.h"
#include "context/data_context.h"

namespace vigil {

// Drops the findings about a user or SKU whose data source lacks the fact
// their alert type reads (alert_types.h GapOfAlertType): e.g. no
// license.unused for a SKU whose seat totals nobody knows.
void DropGapFindings(const DataContext& ctx, std::vector<Finding>* findings);

// One note per alert type of `analysis_type` that the tenant has not
// switched off and per data source that lacks the fact it reads, in alert
// type then data source order, e.g.
//   license.unused: not available for data source "google" (google_workspace):
//   Google Workspace's License Manager lists assignments, not seats bought
std::vector<std::string> GapNotes(const DataContext& ctx, std::string_view analysis_type);

// Findings about users become findings about persons (DataContext::PersonOf):
// the subject and subject name are those of the account that names the
// person; findings of one alert type about accounts of one person become
// one (the naming account's own, or else the first, with the highest
// severity of them). When the tenant has two or more data sources, every
// user finding's details
// gain "sources": the names of the data sources whose accounts gave it, in
// data source order. Other findings are left as they are. The order of
// the findings is not kept (the caller sorts).
void MergePersons(const DataContext& ctx, std::vector<Finding>* findings);

}  // namespace vigil
