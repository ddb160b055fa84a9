// `nar sweep plan|run` and `nar aggregate`.
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "app/commands.h"
#include "jobs/aggregate.h"
#include "jobs/job_id.h"
#include "jobs/sweep_plan.h"
#include "runner/sweep_run.h"

namespace nar::app {

namespace {

struct AggregateArgs {
    std::string dir;
    std::string format = "md";
    bool paper = false;
    std::string sweep_file;
    std::vector<std::string> overrides;
};

void print_plan(const jobs::SweepPlan& plan) {
    size_t width = 2;
    for (const auto& j : plan.jobs) width = std::max(width, j.id.size());
    std::printf("sweep %s -> %s\n", plan.name.c_str(), plan.out_dir.c_str());
    std::printf("%-*s  %-16s  %-10s  %-8s  %s\n", static_cast<int>(width), "id", "config_hash",
                "seed", "cost", "params");
    std::set<std::string> configs;
    double total_cost = 0;
    for (const auto& j : plan.jobs) {
        std::string params;
        for (const auto& [k, v] : j.params) params += (params.empty() ? "" : " ") + k + "=" + v;
        std::printf("%-*s  %-16s  %-10llu  %-8.2g  %s\n", static_cast<int>(width), j.id.c_str(),
                    j.config_hash.c_str(), static_cast<unsigned long long>(j.seed), j.cost_estimate,
                    params.c_str());
        configs.insert(jobs::config_id(j.id));
        total_cost += j.cost_estimate;
    }
    std::printf("total: %zu jobs, %zu configurations, estimated cost %.3g\n", plan.jobs.size(),
                configs.size(), total_cost);
}

}  // namespace

void add_sweep_commands(CLI::App& app) {
    auto* sweep = app.add_subcommand("sweep", "Plan or run a sweep file (TOML)");
    sweep->require_subcommand(1);
    add_sweep_status_command(*sweep);

    auto plan_args = std::make_shared<runner::SweepRunOptions>();
    auto* plan = sweep->add_subcommand("plan", "Print the expanded job list; runs nothing");
    plan->add_option("file", plan_args->sweep_file, "Sweep file (TOML)")->required();
    plan->add_option("overrides", plan_args->overrides,
                     "key=value overrides: repeats=3, epochs=2, studies.<name>.<key>=v, ...");
    plan->add_option("--out", plan_args->out_dir, "Output directory (overrides the file's)");
    plan->callback([plan_args] {
        print_plan(jobs::load_sweep(plan_args->sweep_file, runner::overrides_with_out(*plan_args)));
    });

    auto run_args = std::make_shared<runner::SweepRunOptions>();
    auto* run = sweep->add_subcommand(
        "run", "Run a sweep: serially, or under mpirun/srun with a coordinator on rank 0");
    run->add_option("file", run_args->sweep_file, "Sweep file (TOML)")->required();
    run->add_option("overrides", run_args->overrides, "key=value overrides (as for plan)");
    run->add_option("--out", run_args->out_dir, "Output directory (overrides the file's)");
    run->add_option("--ranks-per-job", run_args->ranks_per_job, "MPI ranks per job (group size)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    run->add_flag("--resume", run_args->resume,
                  "Skip finished jobs and restart half-done ones from their checkpoints");
    run->add_option("--max-attempts", run_args->max_attempts, "Attempts per job before it fails")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    run->add_flag("--force", run_args->force,
                  "Add the new jobs of a changed sweep file to a directory of an older plan "
                  "(jobs whose configuration changed are still refused)");
    run->add_option("--shard", run_args->shard,
                    "Run shard I of K (0-based, I/K) of the job list: for Slurm job arrays");
    run->callback([run_args] {
        int code = runner::run_sweep(*run_args);
        // CLI11: app.exit() returns a RuntimeError's code without printing anything.
        if (code != 0) throw CLI::RuntimeError(code);
    });

    auto agg_args = std::make_shared<AggregateArgs>();
    auto* agg =
        app.add_subcommand("aggregate",
                           "Summarise a results directory: paper-shaped tables, avg (best/worst "
                           "dropped) and best of the repeats");
    agg->add_option("results", agg_args->dir, "Results directory (searched recursively)")
        ->required();
    agg->add_option("--format", agg_args->format, "md|csv|latex|json")
        ->check(CLI::IsMember({"md", "csv", "latex", "json"}))
        ->capture_default_str();
    agg->add_flag("--paper", agg_args->paper, "Show the published numbers and the difference");
    agg->add_option("--sweep", agg_args->sweep_file,
                    "The sweep file: lists configurations and counts runs not yet done");
    agg->add_option("--set", agg_args->overrides, "key=value override for --sweep (repeatable)");
    agg->callback([agg_args] {
        std::unique_ptr<jobs::SweepPlan> plan;
        if (!agg_args->sweep_file.empty()) {
            plan = std::make_unique<jobs::SweepPlan>(
                jobs::load_sweep(agg_args->sweep_file, agg_args->overrides));
        }
        auto result = jobs::aggregate_results(agg_args->dir, plan.get());
        std::cout << jobs::render_aggregate(result, agg_args->format, agg_args->paper);
    });
}

}  // namespace nar::app
