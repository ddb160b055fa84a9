#pragma once
// What one job produced. Written as one HDF5 file per job (jobs/result_file.*),
// documented in the README, "Result files".
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "jobs/job_status.h"

namespace nar::jobs {

struct JobResult {
    std::string job_id;
    std::string study;
    JobStatus status = JobStatus::failed;  // done or failed (interrupted: never written)
    std::string error;                     // message when failed
    std::string config_text;               // resolved config, "key=value" lines
    uint64_t seed = 0;
    std::string config_hash;
    std::string start_time, end_time;  // ISO 8601 UTC
    double wall_seconds = 0.0;
    int ranks = 1;
    std::string device;  // "cpu", "cuda:0", ...
    std::string host;
    std::string code_version;  // nar version + git describe
    std::string blas_core;     // the BLAS kernel the numbers were computed with
    std::string gemm_library;  // what ran the model's float32 products (model/gemm.h)
    int attempt = 1;

    // Test split, in sample order.
    std::vector<double> predictions, targets;
    std::vector<std::string> groups;  // family / device / "" per sample
    std::vector<int64_t> sample_ids;

    // Per epoch.
    std::vector<double> train_loss, val_metric, lr;
    std::string val_metric_name;  // "mape" or "kendall_tau"
    int best_epoch = -1;          // epoch whose weights were tested (0-based)
    int epochs_done = 0;

    // Final metrics on the test split: mape, acc10, acc5, acc1, kendall_tau, ...
    std::map<std::string, double> metrics;
    // Per group (e.g. NNLQP family): group -> metric name -> value.
    std::map<std::string, std::map<std::string, double>> group_metrics;
};

}  // namespace nar::jobs
