// The `nar` command line. Exit codes: 0 success, 1 error (bad input or a
// failed job), 2 usage error, 3 interrupted by a signal after checkpointing
// (see README, "Exit codes").
#include <hdf5.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "app/commands.h"
#include "common/blas_startup.h"
#include "common/error.h"
#include "common/heap.h"
#include "common/version.h"
#include "model/fused_kernels.h"

int main(int argc, char** argv) {
    nar::common::select_blas_core(argc, argv);  // first: may re-execute the process
    // HDF5's own exit-time cleanup re-closes files whose close already failed
    // (a full disk) and crashes; every file nar writes is closed by its owner.
    H5dont_atexit();
    nar::common::keep_freed_memory_in_heap();
    CLI::App app{"nar: distributed experiment runner for NAR-Former V2"};
    app.require_subcommand(1);
    app.set_version_flag(
        "--version", "nar " + nar::common::version() + " (" + nar::common::git_describe() + ")");
    std::string log_level = "info";
    app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
        ->capture_default_str();
    app.parse_complete_callback([&] { spdlog::set_level(spdlog::level::from_str(log_level)); });
    spdlog::set_pattern("[%H:%M:%S] [%l] %v");

    nar::app::add_model_commands(app);
    nar::app::add_data_commands(app);
    nar::app::add_train_commands(app);
    nar::app::add_sweep_commands(app);
    nar::app::add_report_commands(app);
    nar::app::add_slurm_commands(app);
    nar::app::add_blas_commands(app);
    nar::app::add_zoo_commands(app);

    try {
        nar::model::check_composite_env();
    } catch (const nar::common::Error& e) {
        spdlog::error("{}", e.what());
        return 2;  // a usage error, before any work
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::RuntimeError& e) {
        return e.get_exit_code();  // a command's own exit code (1, 3), nothing to print
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);  // prints help, the version or the usage error
        return code == 0 ? 0 : 2;      // README: 2 is every usage error
    } catch (const nar::common::Error& e) {
        spdlog::error("{}", e.what());
        return 1;
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
    return 0;
}
