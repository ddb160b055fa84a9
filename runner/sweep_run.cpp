#include "runner/sweep_run.h"

#include <spdlog/spdlog.h>

#include "common/error.h"
#include "jobs/sweep_plan.h"
#include "runner/coordinator.h"
#include "runner/job_runner.h"
#include "runner/mpi_env.h"
#include "runner/signals.h"

namespace nar::runner {

namespace {

// A TOML basic string, so any path survives the override parser.
std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

JobOutcome run_real_job(const jobs::JobSpec& spec, Communicator& comm) {
    return run_job(spec, comm);
}

}  // namespace

int run_sweep(const SweepRunOptions& opts) {
    install_stop_handlers();
    const MpiInfo& mpi = mpi_init();
    int code = 1;
    try {
        std::vector<std::string> overrides = opts.overrides;
        if (!opts.out_dir.empty()) overrides.push_back("out=" + toml_string(opts.out_dir));
        jobs::SweepPlan plan = jobs::load_sweep(opts.sweep_file, overrides);
        CoordinatorOptions co;
        co.out_dir = plan.out_dir;
        co.name = plan.name;
        co.ranks_per_job = opts.ranks_per_job;
        co.max_attempts = opts.max_attempts;
        co.resume = opts.resume;
        SweepSummary s = coordinate_jobs(plan.jobs, run_real_job, co,
                                         mpi.active ? MPI_COMM_WORLD : MPI_COMM_NULL);
        code = s.exit_code();
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
