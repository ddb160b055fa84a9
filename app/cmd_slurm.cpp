// `nar slurm submit|status|cancel`.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "app/commands.h"
#include "common/error.h"
#include "common/version.h"
#include "slurm/status.h"
#include "slurm/submit.h"

namespace nar::app {

namespace {

std::string own_executable() {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) throw common::Error("cannot find the nar executable (/proc/self/exe)");
    return std::string(buf, static_cast<size_t>(n));
}

struct SubmitArgs {
    slurm::SubmitOptions o;
    std::string array;
};

}  // namespace

void add_slurm_commands(CLI::App& app) {
    auto* slurm = app.add_subcommand("slurm", "Run a sweep on a Slurm cluster");
    slurm->require_subcommand(1);

    auto a = std::make_shared<SubmitArgs>();
    auto* sub = slurm->add_subcommand(
        "submit", "Render the batch script into OUT/slurm/ and submit it with sbatch; never waits");
    sub->add_option("file", a->o.sweep_file, "Sweep file (TOML)")->required();
    sub->add_option("overrides", a->o.overrides, "key=value overrides (as for nar sweep run)");
    sub->add_option("--out", a->o.out_dir, "Results directory (overrides the file's)");
    sub->add_option("--nodes", a->o.nodes, "Nodes per allocation")->capture_default_str();
    sub->add_option("--gpus-per-node", a->o.gpus_per_node,
                    "GPUs per node, one rank each (0: CPU-only partition)")
        ->capture_default_str();
    sub->add_option("--time", a->o.time, "Time limit per allocation (HH:MM:SS, D-HH:MM:SS)")
        ->capture_default_str();
    sub->add_option("--partition", a->o.partition, "Slurm partition");
    sub->add_option("--account", a->o.account, "Slurm account");
    sub->add_option("--qos", a->o.qos, "Slurm QOS");
    sub->add_option("--constraint", a->o.constraint, "Node features (sbatch --constraint)");
    sub->add_option("--cpus-per-task", a->o.cpus_per_task,
                    "CPUs per rank; on CPU-only partitions one rank per slice of the node");
    sub->add_option("--mem", a->o.mem, "Memory per node (sbatch --mem)");
    sub->add_option("--ranks-per-job", a->o.ranks_per_job, "MPI ranks per job (group size)")
        ->capture_default_str();
    sub->add_option("--array", a->array, "K[%P]: K independent shards, at most P at once");
    sub->add_option("--mpi", a->o.mpi, "pmix (srun --mpi=pmix) or mpirun")
        ->check(CLI::IsMember({"pmix", "mpirun"}))
        ->capture_default_str();
    sub->add_option("--signal-lead", a->o.signal_lead,
                    "Seconds of warning (SIGUSR1) before the time limit")
        ->capture_default_str();
    sub->add_option("--max-requeues", a->o.max_requeues,
                    "Times a stopped allocation requeues itself")
        ->capture_default_str();
    sub->add_option("--sbatch-arg", a->o.sbatch_args,
                    "Extra sbatch option, verbatim (repeatable), e.g. --sbatch-arg=--exclusive")
        ->allow_extra_args(false);
    sub->add_flag("--dry-run", a->o.dry_run, "Print the batch scripts; submit nothing");
    sub->add_flag("--force", a->o.force,
                  "Add the new jobs of a changed sweep file to a directory of an older plan");
    sub->callback([a, &app] {
        if (!a->array.empty()) a->o.array = slurm::parse_array_spec(a->array);
        slurm::NarInstall nar;
        nar.nar_path = own_executable();
        nar.version = common::version() + " (" + common::git_describe() + ")";
#ifdef NAR_WITH_NCCL
        nar.cuda_build = true;
#endif
        for (const auto* c : app.get_subcommands([](CLI::App*) { return true; })) {
            if (c->get_name() == "report") nar.has_report = true;
        }
        slurm::SubmitResult r = slurm::submit_sweep(a->o, nar);
        for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
        std::cout << r.text << std::flush;
    });

    auto status_dir = std::make_shared<std::string>();
    auto* status = slurm->add_subcommand(
        "status", "Slurm state of the sweep's jobs and its progress (done/running/failed, ETA)");
    status->add_option("results", *status_dir, "Results directory")->required();
    status->callback([status_dir] { std::cout << slurm::render_status(*status_dir); });

    auto cancel_dir = std::make_shared<std::string>();
    auto* cancel = slurm->add_subcommand("cancel", "scancel every Slurm job of the sweep");
    cancel->add_option("results", *cancel_dir, "Results directory")->required();
    cancel->callback([cancel_dir] {
        auto ids = slurm::cancel_sweep(*cancel_dir);
        if (ids.empty()) {
            std::cout << "no job of " << *cancel_dir << " is in the queue\n";
        } else {
            std::cout << "cancelled";
            for (const auto& id : ids) std::cout << " " << id;
            std::cout << "\n";
        }
    });
}

}  // namespace nar::app
