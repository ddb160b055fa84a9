// bench_report [REPEATS [keep]]: writes a synthetic 60-job results directory (5 configurations
// x 12 repeats, shaped like examples/quick.toml: 30 epochs, NB201 test splits of
// 14,625 cells), then times write_sweep_outputs (OUT/tables.md + OUT/report.html, as
// at the end of `nar sweep run`) REPEATS times (default 5): min / median / max.
// Target: under 2 s. Run it alone for an idle-machine number; it prints the load.
// With "keep", the directory (/tmp/nar_bench_report) stays for a look at the report.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bench/machine_load.h"
#include "jobs/job_id.h"
#include "jobs/job_result.h"
#include "jobs/report/report_html.h"
#include "jobs/result_file.h"
#include "jobs/sweep_index.h"

namespace fs = std::filesystem;
using namespace nar::jobs;

namespace {

constexpr int kRepeats = 12, kEpochs = 30, kTest = 14625;

JobResult synthetic(const std::string& id, const std::string& study, const std::string& config,
                    bool latency, int k, std::mt19937& rng) {
    std::normal_distribution<double> noise(0, latency ? 0.05 : 0.02);
    JobResult r;
    r.job_id = id;
    r.study = study;
    r.status = JobStatus::done;
    r.config_text = config + "\nepochs=30\nstudy=" + study + "\n";
    r.seed = seed_from_id(id);
    r.start_time = "2026-01-01T00:00:00Z";
    r.end_time = "2026-01-01T00:05:00Z";
    r.wall_seconds = 60 + k;
    r.device = "cpu";
    r.host = "bench";
    r.code_version = "bench";
    for (int i = 0; i < kTest; ++i) {
        double t = latency ? 0.2 * std::exp(3.0 * i / kTest) : 0.5 + 0.45 * i / kTest;
        r.targets.push_back(t);
        r.predictions.push_back(t * (1 + noise(rng)));
        r.groups.push_back(latency ? config.substr(config.find(':') + 1) : "");
        r.sample_ids.push_back(i);
    }
    for (int e = 0; e < kEpochs; ++e) {
        r.train_loss.push_back(1.0 / (e + 1));
        r.val_metric.push_back(latency ? 0.1 + 0.5 / (e + 1) : 0.6 - 0.4 / (e + 1));
        r.lr.push_back(1e-3);
    }
    r.val_metric_name = latency ? "mape" : "kendall_tau";
    r.best_epoch = kEpochs - 1 - k % 3;
    r.epochs_done = kEpochs;
    r.metrics = {{"mape", 0.05 + 0.001 * k},       {"acc10", 0.9}, {"acc5", 0.6}, {"acc1", 0.15},
                 {"kendall_tau", 0.6 + 0.005 * k}, {"n", kTest}};
    if (latency) r.group_metrics[r.groups[0]] = r.metrics;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    const fs::path dir = fs::temp_directory_path() / "nar_bench_report";
    fs::remove_all(dir);
    struct Cfg {
        std::string id, study, config;
        bool latency;
    };
    const std::vector<Cfg> cfgs = {
        {"nb201_acc/local", "nb201-accuracy", "attention=local", false},
        {"nb201_acc/global", "nb201-accuracy", "attention=global", false},
        {"nb201_acc_gnn", "nb201-accuracy", "structure=gnn", false},
        {"nb201_lat/latency_titan_rtx_1", "nb201-latency", "target=latency:titan_rtx_1", true},
        {"nb201_lat/latency_gold_6226", "nb201-latency", "target=latency:gold_6226", true}};
    std::mt19937 rng(7);
    std::vector<IndexEntry> index;
    for (const auto& c : cfgs) {
        for (int k = 0; k < kRepeats; ++k) {
            JobResult r =
                synthetic(c.id + "/" + repeat_tag(k), c.study, c.config, c.latency, k, rng);
            IndexEntry e;
            e.job_id = r.job_id;
            e.state = JobStatus::done;
            e.attempts = 1;
            e.wall_seconds = r.wall_seconds;
            e.result_path = (dir / (r.job_id + ".h5")).string();
            write_result(e.result_path, r);
            index.push_back(e);
        }
    }
    write_index(index_path(dir.string()), index);
    nar::bench::OtherWork other;
    other.start();
    const double load = nar::bench::load_average_1min();
    std::vector<double> secs, cpu;
    for (int i = 0; i < repeats; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        const std::clock_t c0 = std::clock();
        nar::jobs::report::write_sweep_outputs(dir.string());
        cpu.push_back(static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC);
        secs.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(cpu.begin(), cpu.end());
    const double busy = other.stop().other;
    std::sort(secs.begin(), secs.end());
    const auto size = fs::file_size(dir / "report.html");
    std::printf("bench_report: %zu jobs, %d test samples each; report.html %.1f KB\n", index.size(),
                kTest, size / 1024.0);
    std::printf(
        "write_sweep_outputs over %d repeats: min %.3f s, median %.3f s, max %.3f s "
        "(target < 2 s: %s)\n",
        repeats, secs.front(), secs[secs.size() / 2], secs.back(),
        secs[secs.size() / 2] < 2.0 ? "met" : "NOT met");
    std::printf("CPU time of this process: min %.3f s, median %.3f s, max %.3f s\n", cpu.front(),
                cpu[cpu.size() / 2], cpu.back());
    std::printf("machine: load average %.2f, other work %.2f cores during the timing\n", load,
                busy);
    if (argc > 2 && std::string(argv[2]) == "keep") {
        std::printf("kept %s\n", dir.c_str());
    } else {
        fs::remove_all(dir);
    }
    return 0;
}
