#include "runner/signals.h"

#include <atomic>
#include <csignal>

#include <spdlog/spdlog.h>

namespace nar::runner {

namespace {

// Lock-free atomics are async-signal-safe; nothing else is touched in the handler.
std::atomic<int> g_signal{0};

extern "C" void on_stop_signal(int sig) {
    g_signal.store(sig);
    stop_requested().store(true);
}

}  // namespace

std::atomic<bool>& stop_requested() {
    static std::atomic<bool> flag{false};
    return flag;
}

void install_stop_handlers() {
    static_assert(std::atomic<bool>::is_always_lock_free, "signal flag must be lock-free");
    // Construct the flag before any signal can arrive.
    stop_requested();
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;  // keep blocking I/O in the trainer going
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGUSR1, &sa, nullptr);
}

int stop_signal() { return g_signal.load(); }

}  // namespace nar::runner
