#include "runner/mpi_env.h"

#include <spdlog/spdlog.h>

#include <mpi.h>
#include <sched.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "common/error.h"

// OpenBLAS keeps its own thread pool; the symbol exists only when OpenBLAS is
// the BLAS that got loaded, hence weak.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace nar::runner {

namespace {

MpiInfo g_info;
bool g_initialised = false;  // by us
bool g_finalised = false;

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
    return buf;
}

}  // namespace

bool launched_by_mpi() {
    for (const char* var :
         {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS"}) {
        if (std::getenv(var) != nullptr) return true;
    }
    return false;
}

const MpiInfo& mpi_init() {
    if (g_finalised) throw common::Error("MPI was already finalised in this process");
    if (g_initialised) return g_info;
    g_info.host = host_name();
    int already = 0;
    MPI_Initialized(&already);
    if (!already && !launched_by_mpi()) return g_info;  // plain single process
    if (!already) {
        int provided = 0;
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
        g_initialised = true;
    }
    g_info.active = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &g_info.world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_info.world_size);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g_info.world_rank, MPI_INFO_NULL,
                        &node);
    MPI_Comm_rank(node, &g_info.local_rank);
    MPI_Comm_size(node, &g_info.local_size);
    MPI_Comm_free(&node);
    return g_info;
}

const MpiInfo& mpi_info() {
    if (g_info.host.empty()) g_info.host = host_name();
    return g_info;
}

void mpi_finalize() {
    if (!g_initialised || g_finalised) return;
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
    g_finalised = true;
}

namespace {

// Cores this process may run on.
int usable_cores() {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) cores = std::min<long>(cores, CPU_COUNT(&set));
    return static_cast<int>(std::max(1L, cores));
}

}  // namespace

int default_threads_per_rank(int local_size) {
    // Under Slurm a task owns exactly its --cpus-per-task slice.
    if (const char* s = std::getenv("SLURM_CPUS_PER_TASK")) {
        long v = std::atol(s);
        if (v > 0) return static_cast<int>(std::min<long>(v, usable_cores()));
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (const char* s = std::getenv("SLURM_CPUS_ON_NODE")) {
        long v = std::atol(s);
        if (v > 0) cores = v;
    }
    int threads = static_cast<int>(cores / std::max(1, local_size));
    cpu_set_t set;
    CPU_ZERO(&set);
    // A rank bound to fewer cores (mpirun --bind-to core) must not run more threads.
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        threads = std::min(threads, CPU_COUNT(&set));
    }
    return std::max(1, threads);
}

void set_compute_threads(int n) {
    n = std::max(1, n);
    const int cores = usable_cores();
    if (n > cores) {
        static bool warned = false;
        if (!warned) {
            spdlog::warn("{} compute threads asked for, but this process may use {} core(s): "
                         "using {}",
                         n, cores, cores);
            warned = true;
        }
        n = cores;
    }
    // Re-setting the count restarts LibTorch's thread pool (tens of ms), so
    // only change it when it differs.
    static int current = -1;
    if (n == current) return;
    current = n;
    torch::set_num_threads(n);  // also sets the OpenMP count used by ATen
    if (openblas_set_num_threads != nullptr) openblas_set_num_threads(n);
}

}  // namespace nar::runner
