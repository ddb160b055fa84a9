// nar_fake_sweep OUT_DIR N_JOBS [--fail] [--slow] [--sleep-ms MS] [--ranks-per-job G]
//                [--max-attempts A] [--resume]
// A sweep process exactly like `nar sweep run` (signals, MPI environment,
// coordinator, exit code) but with the fake job of fake_job.h instead of the
// trainer. Each rank writes its pid to OUT_DIR/pids/<world rank> so tests can
// signal or kill one rank.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.h"
#include "fake_job.h"
#include "runner/coordinator.h"
#include "runner/mpi_env.h"
#include "runner/signals.h"

using namespace nar;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: nar_fake_sweep OUT_DIR N_JOBS [options]\n");
        return 2;
    }
    const std::string dir = argv[1];
    const int n = std::atoi(argv[2]);
    bool fail = false, slow = false;
    int sleep_ms = 200;
    runner::CoordinatorOptions opts;
    opts.out_dir = dir;
    opts.name = "fake";
    for (int i = 3; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--fail")
            fail = true;
        else if (a == "--slow")
            slow = true;
        else if (a == "--resume")
            opts.resume = true;
        else if (a == "--sleep-ms" && i + 1 < argc)
            sleep_ms = std::atoi(argv[++i]);
        else if (a == "--ranks-per-job" && i + 1 < argc)
            opts.ranks_per_job = std::atoi(argv[++i]);
        else if (a == "--max-attempts" && i + 1 < argc)
            opts.max_attempts = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    spdlog::set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
    runner::install_stop_handlers();
    const auto& mpi = runner::mpi_init();
    std::filesystem::create_directories(dir + "/pids");
    std::ofstream(dir + "/pids/" + std::to_string(mpi.world_rank)) << getpid() << "\n";

    std::vector<jobs::JobSpec> specs;
    auto add = [&](const std::string& id, double cost) {
        jobs::JobSpec s;
        s.id = id;
        s.seed = 1000 + specs.size();
        s.result_path = dir + "/" + id + ".h5";
        s.cost_estimate = cost;
        specs.push_back(s);
    };
    for (int i = 0; i < n; ++i) add("fake/job" + std::to_string(100 + i), 1 + i % 3);
    if (fail) add("fake/fail", 2);
    if (slow) add("fake/slow", 0.5);
    int code = 1;
    try {
        auto s = runner::coordinate_jobs(
            specs,
            [&](const jobs::JobSpec& sp, runner::Communicator& c) {
                return test::fake_sweep_job(sp, c, dir, sleep_ms);
            },
            opts, mpi.active ? MPI_COMM_WORLD : MPI_COMM_NULL);
        code = s.exit_code();
    } catch (const common::Error& e) {
        if (mpi.world_rank == 0) spdlog::error("{}", e.what());
    }
    spdlog::default_logger()->flush();
    runner::mpi_finalize();
    return code;
}
