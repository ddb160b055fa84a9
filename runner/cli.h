#pragma once
// Each command family registers its subcommands on the root CLI11 app. The
// callbacks throw common::Error on bad input; main() turns that into a message
// and a non-zero exit code.
#include <CLI/CLI.hpp>

namespace nar::runner {

void add_model_commands(CLI::App& app);  // nar model info
void add_data_commands(CLI::App& app);   // nar data features|inspect
void add_train_commands(CLI::App& app);  // nar train, nar predict
void add_sweep_commands(CLI::App& app);  // nar sweep plan|run, nar aggregate
void add_slurm_commands(CLI::App& app);  // nar slurm submit|status

}  // namespace nar::runner
