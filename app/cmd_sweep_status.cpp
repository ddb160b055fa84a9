// `nar sweep status OUT [--watch] [--format text|json]`: progress from the index
// file(s) alone; never writes to OUT.
#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "app/commands.h"
#include "jobs/sweep_status.h"

namespace nar::app {

namespace {

struct StatusArgs {
    std::string dir;
    std::string format = "text";
    bool watch = false;
    double interval = 5;
    int count = 0;
};

}  // namespace

void add_sweep_status_command(CLI::App& sweep) {
    auto args = std::make_shared<StatusArgs>();
    auto* cmd = sweep.add_subcommand(
        "status",
        "Progress of a sweep from its index: counts per study, ETA, slowest and "
        "failed jobs (reads only)");
    cmd->add_option("results", args->dir, "The sweep's output directory")->required();
    cmd->add_option("--format", args->format, "text|json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    cmd->add_flag("--watch", args->watch,
                  "Refresh every --interval seconds until no job is pending or running");
    cmd->add_option("--interval", args->interval, "Seconds between refreshes with --watch")
        ->check(CLI::Range(0.1, 86400.0))
        ->capture_default_str();
    cmd->add_option("--count", args->count, "With --watch: stop after N refreshes (0: no limit)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->callback([args] {
        for (int n = 1;; ++n) {
            const jobs::SweepStatus s = jobs::read_sweep_status(args->dir);
            // Clear the terminal between text refreshes; JSON stays one document per refresh.
            if (args->watch && args->format == "text") std::cout << "\033[H\033[2J";
            std::cout << jobs::render_sweep_status(s, args->format) << std::flush;
            if (!args->watch || jobs::sweep_finished(s) || (args->count > 0 && n >= args->count))
                break;
            std::this_thread::sleep_for(std::chrono::duration<double>(args->interval));
        }
    });
}

}  // namespace nar::app
