#pragma once
// A job's epoch checkpoint (README, "Checkpoints"): parameters, the best
// validation parameters, the optimiser state, the position in the epoch, the
// history, and the configuration it belongs to. Values are stored as float64
// so float32 and float64 runs both restore exactly.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace nar::runner {

struct CheckpointState {
    int64_t epoch = 0, step_in_epoch = 0;  // where training continues
    double loss_sum = 0, loss_count = 0;   // the partial epoch's loss (group sum)
    int best_epoch = -1, epochs_done = 0;
    double best_metric = 0;
    std::vector<double> train_loss, val_metric, lr;  // per finished epoch
};

// Written to a temporary name and renamed into place (leader only).
void save_checkpoint(const std::string& path, const std::string& config_identity,
                     const std::string& model_config, const CheckpointState& state,
                     const torch::OrderedDict<std::string, torch::Tensor>& params,
                     const std::vector<torch::Tensor>& best, torch::optim::Optimizer& optimizer);

// Returns false when there is no checkpoint. A checkpoint of another
// configuration throws common::Error; an unreadable one (truncated, corrupt) is
// discarded with a warning and false is returned, so the job restarts.
bool load_checkpoint(const std::string& path, const std::string& config_identity,
                     CheckpointState& state, torch::OrderedDict<std::string, torch::Tensor>& params,
                     std::vector<torch::Tensor>& best, torch::optim::Optimizer& optimizer,
                     const torch::Device& device);

}  // namespace nar::runner
