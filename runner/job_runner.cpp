#include "runner/job_runner.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "common/error.h"
#include "common/version.h"
#include "jobs/metrics.h"
#include "jobs/result_file.h"
#include "model/model_io.h"
#include "runner/mpi_env.h"
#include "runner/study_data.h"
#include "runner/trainer.h"

namespace nar::runner {

namespace {

std::string utc_now() {
    std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

std::string hostname() {
    char buf[256] = {0};
    if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
    return buf;
}

}  // namespace

std::string checkpoint_path_for(const std::string& result_path) {
    std::string base = result_path;
    if (base.size() > 3 && base.compare(base.size() - 3, 3, ".h5") == 0) {
        base.resize(base.size() - 3);
    }
    return base + ".ckpt.h5";
}

JobOutcome run_job(const jobs::JobSpec& spec, Communicator& comm) {
    return run_job(spec, comm, JobOptions{});
}

JobOutcome run_job(const jobs::JobSpec& spec, Communicator& comm, const JobOptions& opts) {
    const bool leader = comm.rank() == 0;
    const auto t0 = std::chrono::steady_clock::now();
    JobOutcome outcome;
    jobs::JobResult& r = outcome.result;
    r.job_id = spec.id;
    r.seed = spec.seed;
    r.config_hash = spec.config_hash;
    r.start_time = utc_now();
    r.ranks = comm.size();
    r.host = hostname();
    r.code_version = common::version() + " (" + common::git_describe() + ")";
    r.attempt = opts.attempt;
    const std::string ckpt = checkpoint_path_for(spec.result_path);
    try {
        auto params = spec.params;
        params["seed"] = std::to_string(spec.seed);
        TrainConfig cfg = resolve_train_config(params);
        r.study = cfg.study;
        r.config_text = cfg.to_text();
        r.device = cfg.device;
        r.val_metric_name = cfg.is_latency() ? "mape" : "kendall_tau";
        if (cfg.threads > 0) set_compute_threads(cfg.threads);
        if (!spec.result_path.empty()) {
            auto parent = std::filesystem::path(spec.result_path).parent_path();
            if (!parent.empty() && leader) std::filesystem::create_directories(parent);
        }

        StudyData data = load_study_data(cfg);
        if (leader) {
            for (auto& note : data.notes) spdlog::info("[{}] note: {}", spec.id, note);
            spdlog::info("[{}] {} train / {} val / {} test samples, {} rank(s)", spec.id,
                         data.train.size(), data.val.size(), data.test.size(), comm.size());
        }
        Trainer trainer(cfg, data, comm, spec.result_path.empty() ? "" : ckpt);
        TrainOutput out = trainer.run(opts.resume);
        if (out.interrupted) {
            outcome.end = JobEnd::interrupted;
            r.status = "interrupted";
            return outcome;
        }
        r.train_loss = out.train_loss;
        r.val_metric = out.val_metric;
        r.lr = out.lr;
        r.best_epoch = out.best_epoch;
        r.epochs_done = out.epochs_done;
        r.predictions = out.test_pred;
        for (auto& s : data.test) {
            r.targets.push_back(s.target);
            r.groups.push_back(s.group);
            r.sample_ids.push_back(s.id);
        }
        r.metrics = jobs::metrics_to_map(jobs::compute_metrics(r.predictions, r.targets));
        r.metrics["train_graphs_per_s"] = out.train_graphs_per_s;
        bool grouped = false;
        for (auto& g : r.groups) grouped = grouped || !g.empty();
        if (grouped) {
            for (auto& [g, m] : jobs::compute_group_metrics(r.predictions, r.targets, r.groups)) {
                r.group_metrics[g] = jobs::metrics_to_map(m);
            }
        }
        r.status = "done";
        outcome.end = JobEnd::done;
        if (leader && !opts.save_model_path.empty()) {
            model::save_model(opts.save_model_path, trainer.model_config(), trainer.model());
            save_model_inputs(opts.save_model_path, cfg, trainer.target_scale());
        }
    } catch (const std::exception& e) {
        r.status = "failed";
        r.error = e.what();
        outcome.end = JobEnd::failed;
        if (leader) spdlog::error("[{}] failed: {}", spec.id, e.what());
    }
    r.end_time = utc_now();
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (leader && !spec.result_path.empty()) {
        try {
            jobs::write_result(spec.result_path, r);
            if (outcome.end == JobEnd::done) std::filesystem::remove(ckpt);
        } catch (const std::exception& e) {
            r.status = "failed";
            r.error += std::string(r.error.empty() ? "" : "; ") + e.what();
            outcome.end = JobEnd::failed;
            spdlog::error("[{}] cannot write the result: {}", spec.id, e.what());
        }
    }
    return outcome;
}

}  // namespace nar::runner
