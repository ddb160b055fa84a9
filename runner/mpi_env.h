#pragma once
// The MPI environment of one process: MPI is initialised at most once and
// finalised at most once (MPI cannot be re-initialised). A process not started
// by mpirun/srun does not touch MPI at all and runs as a single rank.
#include <string>

namespace nar::runner {

struct MpiInfo {
    bool active = false;  // MPI initialised by mpi_init (launched by mpirun/srun)
    int world_rank = 0;
    int world_size = 1;
    int local_rank = 0;  // rank among the processes on this node
    int local_size = 1;  // processes on this node
    std::string host;
};

// True when the environment says this process was started by an MPI launcher
// (Open MPI, PMI/PMIx as used by srun, MPICH hydra).
bool launched_by_mpi();

// Initialises MPI (MPI_THREAD_FUNNELED: only the main thread calls MPI) when
// launched by mpirun/srun, once per process; later calls return the same info.
// Throws common::Error after mpi_finalize.
const MpiInfo& mpi_init();

// Info of the current process (world_size 1 before mpi_init / without MPI).
const MpiInfo& mpi_info();

// MPI_Finalize if this module initialised MPI; idempotent.
void mpi_finalize();

// Compute threads for one rank: cores available on the node divided by the
// ranks on the node (at least 1), and never more than the cores this process
// is bound to. Slurm's SLURM_CPUS_ON_NODE wins over the hardware count.
int default_threads_per_rank(int local_size);

// Sets LibTorch intra-op, OpenMP and OpenBLAS thread counts (n >= 1).
void set_compute_threads(int n);

}  // namespace nar::runner
