#pragma once
// Everything one training job needs, resolved from `key=value` parameters (the
// `nar train` options and the keys of a sweep file): the study's paper
// defaults first, then the ablation variant, then explicit overrides.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nar::runner {

struct TrainConfig {
    std::string
        study;  // nnlqp-in-domain | nnlqp-unseen | nb101-accuracy | nb201-accuracy | nb201-latency

    // Data and split.
    std::string data_root;            // NNLQP root, or a NAS-Bench-101 tfrecord; "" = bundled data
    std::string holdout;              // nnlqp-unseen: the family tested on
    std::string platform;             // NNLQP platform filter ("" = all)
    std::string target;               // cells: accuracy:cifar10, latency:titan_rtx_1, ...
    std::string encoding;             // networks: pe | raw | op_pe; cells: pe | onehot
    std::string test_mode = "whole";  // NAS: whole space (paper) or rest
    double fraction = 0.0;            // NAS training fraction (0: use train_count)
    int64_t train_count = 0;
    int64_t val_count = 200;     // NAS validation cells
    double val_fraction = 0.05;  // NNLQP: share of each family's training rows validated on
    uint64_t split_seed = 0;     // fixed across repeats: the split does not vary with the job
    std::string variant;         // Table 5 row (row1..row6) or "" (the full model)

    // Model: overrides applied on top of the study's preset (model::ModelConfig::set).
    std::map<std::string, std::string> model;

    // Optimisation.
    int64_t epochs = 0;
    int64_t batch_size = 0;
    double lr = 0.0;
    double warmup_fraction = 0.1;
    double sr_weight = 0.0;
    double ac_weight = 0.0;
    // "mean": targets are divided by the training targets' mean while training and
    // predictions multiplied back, so the head need not learn the scale (relative
    // losses and MAPE are unchanged by a common scale). "none": as the authors.
    std::string target_scale = "none";

    // Runtime.
    std::string dtype = "float32";
    std::string device = "cpu";
    int threads = 0;  // 0: leave as set by the process (one per rank under MPI)
    uint64_t seed = 0;
    int64_t eval_batch_size = 256;

    bool is_latency() const;      // primary metric MAPE (lower is better)
    bool cell_study() const;      // NAS-Bench cells rather than ONNX networks
    std::string preset() const;   // model preset: "latency" or "accuracy"
    std::string to_text() const;  // every key, one "key=value" line each, sorted
};

// The keys accepted in `params` (also the `nar train` options).
const std::vector<std::string>& train_config_keys();

// Resolves the parameters; unknown keys, bad values and missing required ones
// (study, holdout for nnlqp-unseen, ...) throw common::Error.
TrainConfig resolve_train_config(const std::map<std::string, std::string>& params);

}  // namespace nar::runner
