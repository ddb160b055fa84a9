#include "runner/sweep_run.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>

#include "common/error.h"
#include "common/file_lock.h"
#include "jobs/report/report_html.h"
#include "jobs/shard.h"
#include "jobs/sweep_file.h"
#include "jobs/sweep_identity.h"
#include "jobs/sweep_index.h"
#include "jobs/sweep_plan.h"
#include "runner/coordinator.h"
#include "runner/coordinator_wire.h"
#include "runner/job_runner.h"
#include "runner/mpi_env.h"
#include "runner/signals.h"

namespace nar::runner {

namespace {

// "<result without .h5>.log": the job's own log lines, next to its result.
std::string log_path_for(const std::string& result_path) {
    std::string base = result_path;
    if (base.size() > 3 && base.compare(base.size() - 3, 3, ".h5") == 0)
        base.resize(base.size() - 3);
    return base + ".log";
}

JobOutcome run_sweep_job(const jobs::JobSpec& spec, Communicator& comm) {
    JobOptions o;
    o.log_path = log_path_for(spec.result_path);
    return run_job(spec, comm, o);
}

// Rank 0's checks before any job runs: the directory lock and the sweep's identity.
struct SweepGuard {
    std::unique_ptr<common::FileLock> dir_lock, shard_lock;
};

SweepGuard guard_sweep(const jobs::SweepPlan& plan, const jobs::ShardSpec& shard, bool force) {
    std::filesystem::create_directories(plan.out_dir);
    SweepGuard g;
    const std::string lock = (std::filesystem::path(plan.out_dir) / ".nar.lock").string();
    // A plain run owns the directory; array shards share it, each owning its shard.
    g.dir_lock = std::make_unique<common::FileLock>(lock, shard.count == 0, plan.out_dir);
    if (shard.count > 0) {
        g.shard_lock = std::make_unique<common::FileLock>(
            lock + ".shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count),
            true,
            plan.out_dir + " shard " + std::to_string(shard.index) + "/" +
                std::to_string(shard.count));
    }
    jobs::check_or_record_plan(plan, plan.out_dir, force);
    return g;
}

}  // namespace

std::vector<std::string> overrides_with_out(const SweepRunOptions& opts) {
    std::vector<std::string> ov = opts.overrides;
    if (!opts.out_dir.empty()) ov.push_back("out=" + jobs::toml_string(opts.out_dir));
    return ov;
}

int run_sweep(const SweepRunOptions& opts) {
    install_stop_handlers();
    const MpiInfo& mpi = mpi_init();
    int code = 1;
    try {
        jobs::SweepPlan plan = jobs::load_sweep(opts.sweep_file, overrides_with_out(opts));
        const jobs::ShardSpec shard =
            opts.shard.empty() ? jobs::ShardSpec{} : jobs::parse_shard(opts.shard);
        SweepGuard guard;
        std::string setup_error;
        if (mpi.world_rank == 0) {
            try {
                guard = guard_sweep(plan, shard, opts.force);
            } catch (const std::exception& e) {
                setup_error = e.what();
            }
        }
        if (mpi.active && mpi.world_size > 1) bcast_bytes(setup_error, MPI_COMM_WORLD);
        if (!setup_error.empty()) throw common::Error(setup_error);

        CoordinatorOptions co;
        co.out_dir = plan.out_dir;
        co.name = plan.name;
        co.ranks_per_job = opts.ranks_per_job;
        co.max_attempts = opts.max_attempts;
        co.resume = opts.resume;
        std::vector<jobs::JobSpec> jobs = plan.jobs;
        if (shard.count > 0) {
            jobs = jobs::shard_jobs(plan.jobs, shard);
            co.index_file = jobs::index_path(plan.out_dir, shard.index, shard.count);
            co.name += " shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count);
        }
        SweepSummary s =
            coordinate_jobs(jobs, run_sweep_job, co, mpi.active ? MPI_COMM_WORLD : MPI_COMM_NULL);
        code = s.exit_code();
        // A plain run that finished writes the tables and the report (array
        // shards leave that to the dependent aggregate job).
        if (mpi.world_rank == 0 && shard.count == 0 && !s.stopped) {
            try {
                jobs::report::write_sweep_outputs(plan.out_dir);
                spdlog::info("tables: {}/tables.md, report: {}/report.html", plan.out_dir,
                             plan.out_dir);
            } catch (const std::exception& e) {
                spdlog::error("cannot write the tables and the report: {}", e.what());
            }
        }
    } catch (...) {
        spdlog::default_logger()->flush();
        mpi_finalize();
        throw;
    }
    spdlog::default_logger()->flush();
    mpi_finalize();
    return code;
}

}  // namespace nar::runner
