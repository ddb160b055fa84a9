#pragma once
// The `nar` command line: each app/cmd_<name>.cpp registers its subcommands on
// the root CLI11 app. Callbacks throw common::Error on bad input; main() turns
// that into a message and exit code 1.
#include <CLI/CLI.hpp>

namespace nar::app {

void add_model_commands(CLI::App& app);  // nar model info
void add_data_commands(CLI::App& app);   // nar data features|inspect|nnlqp
void add_train_commands(CLI::App& app);  // nar train, nar predict
void add_sweep_commands(CLI::App& app);  // nar sweep plan|run, nar aggregate
void add_sweep_status_command(CLI::App& sweep);  // nar sweep status (on the sweep subcommand)
void add_report_commands(CLI::App& app);         // nar report
void add_slurm_commands(CLI::App& app);  // nar slurm submit|status|cancel
void add_blas_commands(CLI::App& app);   // --blas-core, nar blas-core

void add_zoo_commands(CLI::App& app);    // nar zoo generate|measure|nb201|families

}  // namespace nar::app
