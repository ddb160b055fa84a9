#pragma once
// Data parallelism inside one worker group: every rank holds identical
// parameters, computes gradients on its share of the global batch, and the
// gradients are summed by one fused all-reduce per step. Backends: MPI (CPU,
// always built) and NCCL (CUDA builds, NAR_WITH_NCCL).
#include <mpi.h>
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace nar::runner {

class Communicator {
  public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    virtual std::string backend() const = 0;  // "self", "mpi", "nccl"
    // Sum-reduce the gradients of `params` in place (one flattened buffer; the
    // caller scales its loss by its share of the global batch beforehand).
    virtual void allreduce_gradients(const std::vector<torch::Tensor>& params) = 0;
    // Sum-reduce a small host vector (losses, sample counts, metrics).
    virtual void allreduce_sum(std::vector<double>& values) = 0;
    // Copy rank 0's parameter values to every rank.
    virtual void broadcast_parameters(const std::vector<torch::Tensor>& params) = 0;
    virtual void barrier() = 0;
};

// A group of one: no communication.
std::unique_ptr<Communicator> make_self_communicator();
// MPI backend over `comm` (not owned; must outlive the communicator).
std::unique_ptr<Communicator> make_mpi_communicator(MPI_Comm comm);
// NCCL backend; the unique id is broadcast over `comm`. Throws common::Error
// when the build has no NCCL.
std::unique_ptr<Communicator> make_nccl_communicator(MPI_Comm comm, int device_index);

}  // namespace nar::runner
