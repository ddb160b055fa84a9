#include "runner/job_runner.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <set>

#include "common/blas_startup.h"
#include "common/error.h"
#include "common/version.h"
#include "jobs/job_config.h"
#include "jobs/metrics.h"
#include "jobs/params.h"
#include "jobs/result_file.h"
#include "jobs/study.h"
#include "model/gemm.h"
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

namespace {

// Sends the default logger's lines to `path` while alive (a sweep job's log
// next to its result); the console keeps only what the coordinator prints.
class JobLog {
  public:
    explicit JobLog(const std::string& path) {
        if (path.empty()) return;
        previous_ = spdlog::default_logger();
        auto sink = std::make_shared<spdlog::sinks::basic_file_sink_st>(path);
        auto logger = std::make_shared<spdlog::logger>("job", sink);
        logger->set_level(previous_->level());
        logger->set_pattern("[%Y-%m-%d %H:%M:%S] [%l] %v");
        logger->flush_on(spdlog::level::info);
        spdlog::set_default_logger(logger);
    }
    ~JobLog() {
        if (!previous_) return;
        spdlog::set_default_logger(previous_);
        spdlog::drop("job");
    }
    JobLog(const JobLog&) = delete;
    JobLog& operator=(const JobLog&) = delete;

  private:
    std::shared_ptr<spdlog::logger> previous_;
};

// A data note is the same for every job of a study: the console sees it once
// per process, each job's log always.
void print_note(const std::string& id, const std::string& note, bool to_console) {
    static std::mutex mu;
    static std::set<std::string> seen;
    std::lock_guard<std::mutex> lock(mu);
    spdlog::info("[{}] note: {}", id, note);
    if (to_console && seen.insert(note).second) std::fprintf(stderr, "note: %s\n", note.c_str());
}

// The result's /config says exactly what ran: every parameter, model fields included.
jobs::JobConfig as_ran(jobs::JobConfig cfg, const model::ModelConfig& mc) {
    const auto fields = model::config_fields(mc);
    for (const auto& p : jobs::param_table()) {
        if (!p.model) continue;
        auto it = fields.find(p.key);
        if (it != fields.end()) cfg.model[p.key] = it->second;
    }
    return cfg;
}

// Non-finite headline metrics mean the run is not usable.
void check_finite(const jobs::JobResult& r, const jobs::StudyDef& study) {
    for (const std::string& k : {study.primary_metric, std::string("mape")}) {
        auto it = r.metrics.find(k);
        if (it != r.metrics.end() && !std::isfinite(it->second)) {
            throw common::Error("the test metric " + k + " is not finite (" +
                                std::to_string(it->second) +
                                "): the predictions or targets are "
                                "not usable");
        }
    }
    for (double p : r.predictions) {
        if (!std::isfinite(p)) throw common::Error("a test prediction is not finite");
    }
}

}  // namespace

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
    r.blas_core = common::blas_core_name();
    r.gemm_library = model::gemm_library();
    const std::string ckpt = checkpoint_path_for(spec.result_path);
    try {
        auto params = spec.params;
        params["seed"] = std::to_string(spec.seed);
        jobs::JobConfig cfg = jobs::resolve_job_config(params, spec.id);
        const jobs::StudyDef& study = cfg.study_def();
        r.study = cfg.study;
        r.config_text = cfg.to_text();
        r.device = cfg.device;
        r.val_metric_name = study.primary_metric;
        if (cfg.threads > 0) set_compute_threads(static_cast<int>(cfg.threads));
        if (!spec.result_path.empty()) {
            auto parent = std::filesystem::path(spec.result_path).parent_path();
            if (!parent.empty() && leader) std::filesystem::create_directories(parent);
        }
        JobLog log(leader ? opts.log_path : "");

        StudyData data = load_study_data(cfg);
        if (leader) {
            for (auto& note : data.notes) print_note(spec.id, note, !opts.log_path.empty());
            spdlog::info("[{}] {}; matrix products {} ({})", spec.id, common::blas_core_summary(),
                         cfg.precision, model::gemm_library());
            spdlog::info("[{}] {} train / {} val / {} test samples, {} rank(s)", spec.id,
                         data.train.size(), data.val.size(), data.test.size(), comm.size());
        }
        Trainer trainer(cfg, data, comm, spec.result_path.empty() ? "" : ckpt);
        r.config_text = as_ran(cfg, trainer.model_config()).to_text();
        TrainOutput out = trainer.run(opts.resume);
        if (out.interrupted) {
            outcome.end = jobs::JobStatus::interrupted;
            r.status = jobs::JobStatus::interrupted;
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
        check_finite(r, study);
        bool grouped = false;
        for (auto& g : r.groups) grouped = grouped || !g.empty();
        if (grouped) {
            for (auto& [g, m] : jobs::compute_group_metrics(r.predictions, r.targets, r.groups)) {
                r.group_metrics[g] = jobs::metrics_to_map(m);
            }
        }
        r.status = jobs::JobStatus::done;
        outcome.end = jobs::JobStatus::done;
        if (leader && !opts.save_model_path.empty()) {
            model::save_model(opts.save_model_path, trainer.model_config(), trainer.model());
            save_model_inputs(opts.save_model_path, cfg, trainer.target_scale());
        }
    } catch (const std::exception& e) {
        r.status = jobs::JobStatus::failed;
        r.error = e.what();
        outcome.end = jobs::JobStatus::failed;
        if (leader && opts.log_path.empty()) spdlog::error("[{}] failed: {}", spec.id, e.what());
    }
    r.end_time = utc_now();
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (leader && !spec.result_path.empty()) {
        try {
            jobs::write_result(spec.result_path, r);
            if (outcome.end == jobs::JobStatus::done) std::filesystem::remove(ckpt);
        } catch (const std::exception& e) {
            r.status = jobs::JobStatus::failed;
            r.error += std::string(r.error.empty() ? "" : "; ") + e.what();
            outcome.end = jobs::JobStatus::failed;
            spdlog::error("[{}] cannot write the result: {}", spec.id, e.what());
        }
    }
    return outcome;
}

}  // namespace nar::runner
