#pragma once
// What a parameter defaults to, per study, and its `nar train --help` line.
// Lives in runner/ because model rows default to the study's model preset
// (model/), which jobs/ may not see.
#include <string>

#include "jobs/params.h"
#include "jobs/study.h"

namespace nar::runner {

// The value a job of `study` gets when the row is not given: the study's
// default, else the table's, else (model rows) the study's model preset's.
std::string resolved_default(const jobs::ParamDef& p, const jobs::StudyDef& study);

// The row's help followed by its defaults: "(default: V)" when every study
// agrees, else "(default: V1 for s1, s2; V2 for s3)"; nothing when empty for all.
std::string param_help(const jobs::ParamDef& p);

}  // namespace nar::runner
