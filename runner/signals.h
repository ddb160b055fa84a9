#pragma once
// SIGTERM / SIGUSR1 handling: Slurm sends one of them before the time limit or
// on preemption. The handler only sets stop_requested();
// the coordinator stops handing out jobs and running jobs checkpoint and return
// JobStatus::interrupted. The process then exits with kExitInterrupted.
#include <atomic>

namespace nar::runner {

// Set by the SIGTERM/SIGUSR1 handler: finish the current step, checkpoint, stop.
std::atomic<bool>& stop_requested();

// Exit code of a run stopped by a signal after checkpointing (see README).
constexpr int kExitInterrupted = 3;

// Installs the handler for SIGTERM and SIGUSR1 (idempotent). SIGINT is left
// alone so Ctrl-C still kills an interactive run at once.
void install_stop_handlers();

// The last stop signal received (0 when none).
int stop_signal();

}  // namespace nar::runner
