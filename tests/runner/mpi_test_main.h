#pragma once
// main() for GoogleTest programs run under mpirun: MPI is initialised once,
// only rank 0 prints, and the exit code is non-zero when any rank failed.
#include <gtest/gtest.h>
#include <mpi.h>

#include "runner/mpi_env.h"

inline int mpi_test_main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    const auto& info = nar::runner::mpi_init();
    if (!info.active) {
        std::fprintf(stderr, "run this test under mpirun\n");
        return 1;
    }
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    if (info.world_rank != 0) delete listeners.Release(listeners.default_result_printer());
    int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
    MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    nar::runner::mpi_finalize();
    return failed;
}
