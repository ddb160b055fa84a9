#pragma once
// Helpers shared by the jobs tests: scratch directories and synthetic results.
#include <filesystem>
#include <random>
#include <string>

#include "jobs/job_result.h"

namespace nar::jobs::testing {

// A fresh, empty directory under the system temp dir, unique per test.
inline std::filesystem::path scratch_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("nar_jobs_test_" + name + "_" + std::to_string(std::random_device{}()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

inline JobResult sample_result(const std::string& id, const std::string& study, double mape) {
    JobResult r;
    r.job_id = id;
    r.study = study;
    r.status = nar::jobs::JobStatus::done;
    r.config_text = "epochs=3\nstudy=" + study + "\n";
    r.seed = 12345;
    r.config_hash = "00ff00ff00ff00ff";
    r.start_time = "2026-01-01T00:00:00Z";
    r.end_time = "2026-01-01T00:01:00Z";
    r.wall_seconds = 60.5;
    r.ranks = 2;
    r.device = "cpu";
    r.host = "node1";
    r.code_version = "0.1.0 (test)";
    r.gemm_library = "oneDNN 2.6.3";
    r.attempt = 1;
    r.predictions = {1.0, 2.5, 3.25};
    r.targets = {1.1, 2.0, 3.0};
    r.groups = {"alexnet", "vgg16", ""};
    r.sample_ids = {7, 8, 9};
    r.train_loss = {0.5, 0.25, 0.125};
    r.val_metric = {0.2, 0.1, 0.15};
    r.lr = {1e-3, 5e-4, 0.0};
    r.val_metric_name = "mape";
    r.best_epoch = 1;
    r.epochs_done = 3;
    r.metrics = {
        {"mape", mape}, {"acc10", 0.9}, {"acc5", 0.5}, {"acc1", 0.1}, {"kendall_tau", 0.5}};
    r.group_metrics = {{"alexnet", {{"mape", mape * 2}}}, {"vgg16", {{"mape", mape / 2}}}};
    return r;
}

}  // namespace nar::jobs::testing
