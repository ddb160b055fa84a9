#pragma once
// A job's configuration, resolved from `key=value` parameters (the `nar train`
// options, a sweep job's keys): the parameter table's defaults, then the
// study's, then the Table 5 variant, then the explicit values. Every field is a
// row of jobs/params.cpp, which is the only list of keys.
#include <cstdint>
#include <map>
#include <string>

namespace nar::jobs {

struct StudyDef;

struct JobConfig {
    std::string study;
    // Data and split.
    std::string data_root, holdout, platform, target, encoding, test_mode, variant;
    double fraction = 0;
    int64_t train_count = 0, val_count = 0;
    double val_fraction = 0;
    int64_t split_seed = 0;
    bool keep_degenerate = false;
    // Optimisation.
    int64_t epochs = 0, batch_size = 0, eval_batch_size = 0;
    double lr = 0, warmup_fraction = 0, sr_weight = 0, ac_weight = 0;
    std::string target_scale;
    // Runtime.
    std::string dtype, precision, device;
    int64_t threads = 0;
    uint64_t seed = 0;
    // model::ModelConfig fields by key, as text; a key absent here takes the
    // study's model preset. The runner completes it with the values that ran.
    std::map<std::string, std::string> model;

    const StudyDef& study_def() const;
    bool latency() const;  // primary metric MAPE
    bool cells() const;    // NAS-Bench cells rather than ONNX networks

    // Every key, one "key=value" line each, sorted by key; model fields as plain keys.
    std::string to_text() const;
    // The same restricted to a job's identity (no runtime-only keys such as threads).
    std::string identity_text() const;
};

// Throws common::Error naming `where` (e.g. "sweep.toml:12" or "nar train") and the key.
JobConfig resolve_job_config(const std::map<std::string, std::string>& params,
                             const std::string& where = "");

}  // namespace nar::jobs
