#pragma once
// A hand-made results directory for the report and status tests:
//   table1/all       nnlqp-in-domain  3 runs, families alexnet + vgg16
//   table2/alexnet   nnlqp-unseen    12 runs
//   table2/vgg16     nnlqp-unseen    10 runs done, r10 failed (log file written), r11 pending
//   table4/0.1       nb201-accuracy  12 runs
// with OUT/index.tsv listing all 39 jobs. Every run has 5 epochs and test predictions.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "jobs/job_id.h"
#include "jobs/job_result.h"
#include "jobs/result_file.h"
#include "jobs/sweep_index.h"

namespace nar::jobs::testing {

struct FixtureCounts {
    int table1_runs = 3, alexnet_runs = 12, vgg_done = 10, tau_runs = 12;
    int latency_points = 30, accuracy_points = 40, epochs = 5;
};

inline JobResult fixture_run(const std::string& id, const std::string& study,
                             const std::string& config, double metric, int k, bool latency,
                             const std::vector<std::string>& families) {
    const FixtureCounts n;
    JobResult r;
    r.job_id = id;
    r.study = study;
    r.status = JobStatus::done;
    r.config_text = config_text(parse_config_text(config + "\nstudy=" + study));
    r.seed = seed_from_id(id);
    r.config_hash = "0123456789abcdef";
    r.start_time = "2026-01-01T00:00:" + std::string(k < 10 ? "0" : "") + std::to_string(k) + "Z";
    r.end_time = "2026-01-01T00:01:00Z";
    r.wall_seconds = 10 + k;
    r.device = "cpu";
    r.host = k % 2 ? "node-b" : "node-a";
    r.code_version = "0.1.0 (fixture)";
    const int points = latency ? n.latency_points : n.accuracy_points;
    for (int i = 0; i < points; ++i) {
        // Latency log-spaced over 0.5 .. 50 ms; accuracy over 0.70 .. 0.95.
        double t = latency ? 0.5 * std::pow(100.0, i / (points - 1.0)) : 0.70 + 0.25 * i / points;
        r.targets.push_back(t);
        r.predictions.push_back(t * (1 + 0.15 * std::sin(i + k)));
        r.groups.push_back(latency ? families[i % families.size()] : "");
        r.sample_ids.push_back(i);
    }
    const std::string m = latency ? "mape" : "kendall_tau";
    for (int e = 0; e < n.epochs; ++e) {
        r.train_loss.push_back(1.0 / (e + 1));
        r.val_metric.push_back(latency ? metric * (1 + 1.0 / (e + 1))
                                       : metric * (e + 1) / n.epochs);
        r.lr.push_back(1e-3);
    }
    r.val_metric_name = m;
    r.best_epoch = k % n.epochs;
    r.epochs_done = n.epochs;
    r.metrics = {
        {"mape", latency ? metric : 0.2},        {"acc10", 0.5},     {"acc5", 0.3}, {"acc1", 0.1},
        {"kendall_tau", latency ? 0.5 : metric}, {"n", 1.0 * points}};
    for (size_t f = 0; f < families.size() && latency; ++f)
        r.group_metrics[families[f]] = {{"mape", metric * (1 + 0.5 * f)}, {"acc10", 0.5}};
    return r;
}

// Writes the fixture under dir; returns the index entries written.
inline std::vector<IndexEntry> make_report_fixture(const std::filesystem::path& dir) {
    const FixtureCounts n;
    std::vector<IndexEntry> index;
    auto add = [&](const JobResult& r) {
        const std::string path = (dir / (r.job_id + ".h5")).string();
        write_result(path, r);
        IndexEntry e;
        e.job_id = r.job_id;
        e.state = r.status == JobStatus::done ? JobStatus::done : JobStatus::failed;
        e.attempts = r.status == JobStatus::done ? 1 : 2;
        e.metric_name = "mape";
        e.metric_value = r.metrics.count("mape") ? r.metrics.at("mape") : 0;
        e.wall_seconds = r.wall_seconds;
        e.host = r.host;
        e.result_path = path;
        e.error = r.error;
        index.push_back(e);
    };
    for (int k = 0; k < n.table1_runs; ++k) {
        add(fixture_run("table1/all/" + repeat_tag(k), "nnlqp-in-domain", "epochs=5",
                        0.03 + 0.002 * k, k, true, {"alexnet", "vgg16"}));
    }
    for (int k = 0; k < n.alexnet_runs; ++k) {
        add(fixture_run("table2/alexnet/" + repeat_tag(k), "nnlqp-unseen", "holdout=alexnet",
                        0.20 + 0.01 * k, k, true, {"alexnet"}));
    }
    for (int k = 0; k < n.vgg_done; ++k) {
        add(fixture_run("table2/vgg16/" + repeat_tag(k), "nnlqp-unseen", "holdout=vgg16",
                        0.12 + 0.005 * k, k, true, {"vgg16"}));
    }
    JobResult failed;
    failed.job_id = "table2/vgg16/r10";
    failed.study = "nnlqp-unseen";
    failed.status = JobStatus::failed;
    failed.error = "loss became <NaN> & \"diverged\" at epoch 4\nsecond line of the error";
    failed.config_text = "holdout=vgg16\nstudy=nnlqp-unseen\n";
    failed.attempt = 2;
    failed.wall_seconds = 3;
    add(failed);
    std::ofstream(dir / "table2/vgg16/r10.log") << "training log\nerror: loss became NaN\n";
    IndexEntry pending;
    pending.job_id = "table2/vgg16/r11";
    pending.result_path = (dir / "table2/vgg16/r11.h5").string();
    index.push_back(pending);
    for (int k = 0; k < n.tau_runs; ++k) {
        add(fixture_run("table4/0.1/" + repeat_tag(k), "nb201-accuracy", "fraction=0.1",
                        0.60 + 0.02 * k, k, false, {}));
    }
    write_index(index_path(dir.string()), index);
    return index;
}

}  // namespace nar::jobs::testing
