#pragma once
// Trains one job: Adam with warm-up + linear decay, bucketed batches, optional
// data parallelism over a Communicator, validation each epoch, best-weights
// selection by the validation metric, checkpoints that resume bit-exactly.
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "common/precision.h"
#include "data/graph.h"
#include "jobs/job_config.h"
#include "model/model_config.h"
#include "model/predictor.h"
#include "runner/checkpoint.h"
#include "runner/communicator.h"
#include "runner/study_data.h"

namespace nar::runner {

struct TrainOutput {
    std::vector<double> train_loss, val_metric, lr;  // per finished epoch
    int best_epoch = -1;
    int epochs_done = 0;
    bool interrupted = false;       // stopped by a signal; a checkpoint was written
    std::vector<double> test_pred;  // test predictions (test sample order), when finished
    double train_graphs_per_s = 0;  // training throughput of this run (all ranks together)
};

class Trainer {
  public:
    // `checkpoint_path` empty: no checkpoints.
    Trainer(const jobs::JobConfig& cfg, const StudyData& data, Communicator& comm,
            std::string checkpoint_path);

    // Runs the remaining epochs (resuming from the checkpoint when `resume` and
    // one exists), then tests with the best validation weights.
    // Throws common::Error on a non-finite loss.
    TrainOutput run(bool resume);

    // Predictions for `samples` in their order; every rank gets the whole vector.
    std::vector<double> predict(const std::vector<data::Sample>& samples);

    // Called on every rank after each finished epoch (1-based count), after its
    // checkpoint is written. Tests use it to raise a stop request mid-run.
    void set_epoch_callback(std::function<void(int)> cb) { on_epoch_ = std::move(cb); }

    model::Predictor& model() { return model_; }
    const model::ModelConfig& model_config() const { return model_cfg_; }
    // Predictions are the model's output times this (see the target_scale parameter).
    double target_scale() const { return scale_; }

  private:
    // This rank's share of one global batch.
    struct StepBatch {
        std::vector<const data::Graph*> graphs;  // the originals, then their AC partners
        std::vector<double> targets;             // of the originals, divided by the scale
        std::vector<int64_t> with_partner;       // positions of originals that have a partner
        double share = 0;                        // of the global batch's samples
        double pair_share = 0;                   // of the global batch's AC pairs
        uint64_t seed = 0;                       // dropout and SR pairing of this step
    };
    StepBatch make_step_batch(const std::vector<int64_t>& batch, int64_t global_step) const;
    torch::Tensor step_loss(const StepBatch& b);
    double train_step(const StepBatch& b, double lr);
    void sync_gradients();
    bool group_stop_requested();
    double validation_metric(const std::vector<double>& pred) const;
    void write_checkpoint(const CheckpointState& s);

    jobs::JobConfig cfg_;
    const StudyData& data_;
    Communicator& comm_;
    std::string checkpoint_path_;
    model::ModelConfig model_cfg_;
    model::Predictor model_{nullptr};
    std::unique_ptr<torch::optim::Adam> optimizer_;
    std::vector<torch::Tensor> best_params_;
    std::function<void(int)> on_epoch_;
    double scale_ = 1.0;
    torch::Dtype dtype_;
    common::Precision precision_;
    torch::Device device_;
};

// The model configuration a study runs with: its preset, sized to the data
// (node and static feature widths), then the overrides of `cfg.model`.
model::ModelConfig model_config_for(const jobs::JobConfig& cfg, int64_t node_dim,
                                    int64_t static_dim);

}  // namespace nar::runner
