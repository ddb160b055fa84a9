// --blas-core (global) and nar blas-core: the BLAS kernel selection of
// common/blas_startup.h. main() applies --blas-core before CLI11 runs (it may
// re-execute the process); registering it here makes --help show it and lets
// CLI11 accept it.
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/commands.h"
#include "common/blas_startup.h"
#include "common/startup_env.h"

namespace nar::app {

void add_blas_commands(CLI::App& app) {
    static std::string blas_core = "auto";  // already applied by select_blas_core()
    app.add_option("--blas-core", blas_core,
                   "OpenBLAS kernels: auto (the best this CPU runs, where OpenBLAS fell back "
                   "to a generic core) | keep (OpenBLAS's own pick) | NAME (e.g. COOPERLAKE, "
                   "SKYLAKEX, HASWELL); OPENBLAS_CORETYPE in the environment wins")
        ->capture_default_str();
    auto* cmd = app.add_subcommand(
        "blas-core",
        "Print the OpenBLAS core in use (for OPENBLAS_CORETYPE in scripts); details to stderr");
    static bool env = false;
    cmd->add_flag(
        "--env", env,
        "Print NAME=VALUE lines instead: OPENBLAS_CORETYPE (when set) and the "
        "start-up settings in force (thread pools, heap), for scripts to export to every rank");
    cmd->callback([] {
        if (env) {
            std::vector<std::string> names = {"OPENBLAS_CORETYPE"};
            for (const auto& s : common::startup_env_settings()) names.push_back(s.name);
            for (const auto& n : names) {
                const char* v = std::getenv(n.c_str());
                if (v != nullptr && *v != '\0') std::printf("%s=%s\n", n.c_str(), v);
            }
            return;
        }
        std::string name = common::blas_core_name();
        for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        std::printf("%s\n", name.c_str());
        std::fprintf(stderr, "%s\n", common::blas_core_summary().c_str());
    });
}

}  // namespace nar::app
