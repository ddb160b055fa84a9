#pragma once
// Start-up hook of the BLAS kernel selection (see blas_core.h). Call it first
// thing in main(), before anything uses BLAS or starts threads: it may replace
// the process (execv of /proc/self/exe with the same argv) once with
// OPENBLAS_CORETYPE set, and once more without it should the chosen kernel fail
// the self-check. NAR_BLAS_CORE marks a process nar has re-executed, so there
// is never a third start. The same re-exec adds the start-up settings the
// environment lacks (startup_env.h; NAR_STARTUP_ENV names those nar added).
#include <string>

namespace nar::common {

// Reads --blas-core auto|keep|NAME from argv (also registered with CLI11 so
// --help shows it). A bad value prints an error and exits with 2.
void select_blas_core(int argc, char** argv);

// The kernel OpenBLAS runs, as it names it ("Cooperlake"), or "unknown" when
// the BLAS is not OpenBLAS. Stored in every result file as blas_core.
std::string blas_core_name();

// One phrase for the start log: name, why, the self-check outcome, and the
// start-up settings in force (thread pools, heap).
std::string blas_core_summary();

}  // namespace nar::common
