#pragma once
// Two thread pools share the cores of a rank: libgomp's, which runs LibTorch's
// and nar's at::parallel_for, and OpenBLAS's own pthreads. By default each
// spins after its work, on the core the other needs next: at 2 threads the
// latency step ran at 49-56 graphs/s with the defaults against 96-118 with
// these settings (bench_train_step, 2026-12-01), slower than on 1 thread.
// Both libraries read them only when they are loaded, so nar sets the ones the
// environment lacks and re-executes itself (with the BLAS kernel choice, see
// blas_startup.h). A user's own value always wins.
#include <functional>
#include <string>
#include <vector>

namespace nar::common {

struct EnvSetting {
    std::string name, value;
    std::string unless = "";  // not added where the user set this variable (its partner)
};

// The settings, each declared once: threads spin briefly (libgomp) or not at
// all (OpenBLAS) before they sleep.
const std::vector<EnvSetting>& thread_pool_settings();

// Names the settings nar added (comma-separated), for the re-executed process.
constexpr const char* kThreadPoolMarker = "NAR_THREAD_POOLS";

// Those of thread_pool_settings() that `getenv` does not set (unset or empty),
// less those whose `unless` variable it sets.
std::vector<EnvSetting> missing_thread_pool_settings(
    const std::function<const char*(const char*)>& getenv);

// "OMP_WAIT_POLICY=PASSIVE (nar), OPENBLAS_THREAD_TIMEOUT=4 (yours)": what is in
// force; kThreadPoolMarker tells which ones nar set.
std::string thread_pool_summary(const std::function<const char*(const char*)>& getenv);

}  // namespace nar::common
