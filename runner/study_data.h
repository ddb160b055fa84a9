#pragma once
// From a resolved TrainConfig to the train/validation/test samples of its study.
#include <string>

#include "runner/train_config.h"
#include "runner/trainer.h"

namespace nar::runner {

StudyData load_study_data(const TrainConfig& cfg);

// Records in a saved model file how its inputs were encoded (study, encoding,
// target), so `nar predict` encodes new networks or cells the same way.
void save_model_inputs(const std::string& model_path, const TrainConfig& cfg, double target_scale);

struct ModelInputs {
    std::string study, encoding, target;
    double target_scale = 1.0;  // predictions = model output × this
};
ModelInputs read_model_inputs(const std::string& model_path);

}  // namespace nar::runner
