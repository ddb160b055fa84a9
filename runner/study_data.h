#pragma once
// From a resolved job configuration to the train/validation/test samples of its
// study. Loaders are keyed by the study's benchmark (jobs/study.h), never by name.
#include <string>
#include <vector>

#include "data/graph.h"
#include "jobs/job_config.h"

namespace nar::runner {

struct StudyData {
    std::vector<data::Sample> train, val, test;
    std::vector<std::string> notes;  // facts the user should see (e.g. "targets are test accuracy")
};

StudyData load_study_data(const jobs::JobConfig& cfg);

// Records in a saved model file how its inputs were encoded (study, encoding,
// target), so `nar predict` encodes new networks or cells the same way.
void save_model_inputs(const std::string& model_path, const jobs::JobConfig& cfg,
                       double target_scale);

struct ModelInputs {
    std::string study, encoding, target;
    double target_scale = 1.0;  // predictions = model output × this
};
ModelInputs read_model_inputs(const std::string& model_path);

}  // namespace nar::runner
