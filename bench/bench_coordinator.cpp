// Coordinator overhead per job: 1,000 no-op jobs handed out by rank 0 to the
// other ranks (mpirun -np 2 / -np 3), or run serially with one rank. Prints
// one table row; bench/sweep.cmake's `bench_coordinator_table` target runs
// the usual launch sizes.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "runner/coordinator.h"
#include "runner/mpi_env.h"

using namespace nar;

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
    const auto& mpi = runner::mpi_init();
    spdlog::set_level(spdlog::level::warn);  // no per-job log lines in the timing
    int pid = getpid();
    if (mpi.active) MPI_Bcast(&pid, 1, MPI_INT, 0, MPI_COMM_WORLD);
    auto dir = std::filesystem::temp_directory_path() / ("nar_bench_coord_" + std::to_string(pid));
    if (mpi.world_rank == 0) std::filesystem::remove_all(dir);
    std::vector<jobs::JobSpec> specs(n);
    for (int i = 0; i < n; ++i) {
        specs[i].id = "bench/job" + std::to_string(i);
        specs[i].result_path = (dir / (std::to_string(i) + ".h5")).string();
        specs[i].cost_estimate = 1 + i % 7;
    }
    runner::CoordinatorOptions opts;
    opts.out_dir = dir.string();
    auto noop = [](const jobs::JobSpec&, runner::Communicator&) {
        runner::JobOutcome o;
        o.end = jobs::JobStatus::done;
        return o;
    };
    if (mpi.active) MPI_Barrier(MPI_COMM_WORLD);
    auto t0 = std::chrono::steady_clock::now();
    auto s =
        runner::coordinate_jobs(specs, noop, opts, mpi.active ? MPI_COMM_WORLD : MPI_COMM_NULL);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (mpi.world_rank == 0) {
        std::printf("%-6s %-8s %-8s %-12s %-10s\n", "ranks", "workers", "jobs", "total_s",
                    "us_per_job");
        std::printf("%-6d %-8d %-8d %-12.4f %-10.1f\n", mpi.world_size,
                    std::max(1, mpi.world_size - 1), s.done, sec, 1e6 * sec / n);
        std::filesystem::remove_all(dir);
    }
    runner::mpi_finalize();
    return s.done == n ? 0 : 1;
}
