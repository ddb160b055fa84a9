#pragma once
// One section of the report per study table: its aggregate table and charts.
#include <map>
#include <string>
#include <vector>

#include "jobs/aggregate.h"
#include "jobs/job_result.h"
#include "jobs/paper_tables.h"
#include "jobs/report/report_model.h"

namespace nar::jobs::report {

// table_name: the first job-id component; configs: its configurations (aggregate
// order); layout: its paper-shaped table (build_tables; null when unknown); shown:
// the same table as `nar aggregate --paper` prints it; results: every job's result.
Section build_section(const std::string& table_name,
                      const std::vector<const ConfigSummary*>& configs, const PaperTable* layout,
                      const MdTable& shown, const std::map<std::string, JobResult>& results);

}  // namespace nar::jobs::report
