#pragma once
// Settings that libraries read only when they are loaded, so nar sets the ones
// the environment lacks and re-executes itself (with the BLAS kernel choice,
// see blas_startup.h). A user's own value always wins.
// - Thread pools. Two share the cores of a rank: libgomp's, which runs
//   LibTorch's and nar's at::parallel_for, and OpenBLAS's own pthreads. By
//   default each spins after its work, on the core the other needs next: at 2
//   threads the latency step ran at 49-56 graphs/s with the defaults against
//   96-118 with these settings (bench_train_step, 2026-12-01), slower than on 1.
// - The heap. glibc's malloc backs its heap with transparent huge pages where
//   the kernel leaves them to madvise: a 1-epoch nar train page-faulted
//   123,000-154,000 times with 4 KB pages and 25,000-29,000 with them, in 6-12%
//   less wall time (2026-12-07).
#include <functional>
#include <string>
#include <vector>

namespace nar::common {

struct EnvSetting {
    std::string name, value;
    std::string unless = "";  // not added where the user set this variable (its partner)
};

// The settings, each declared once.
const std::vector<EnvSetting>& startup_env_settings();

// Names the settings nar added (comma-separated), for the re-executed process.
constexpr const char* kStartupEnvMarker = "NAR_STARTUP_ENV";

// Those of startup_env_settings() that `getenv` does not set (unset or empty),
// less those whose `unless` variable it sets.
std::vector<EnvSetting> missing_startup_env_settings(
    const std::function<const char*(const char*)>& getenv);

// "OMP_WAIT_POLICY=PASSIVE (nar), OPENBLAS_THREAD_TIMEOUT=4 (yours)": what is in
// force; kStartupEnvMarker tells which ones nar set.
std::string startup_env_summary(const std::function<const char*(const char*)>& getenv);

}  // namespace nar::common
