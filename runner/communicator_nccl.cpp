// NCCL backend (CUDA builds, -DNAR_WITH_NCCL=ON). Same contract as the MPI
// backend: the caller weights its loss by its share of the global batch and
// this backend sums one flattened gradient buffer per step. The NCCL unique id
// is created on rank 0 and broadcast over the group's MPI communicator; host
// values (allreduce_sum) and barriers still go through MPI.
//
// Only raw device pointers and the generic c10 device interface are used, so
// this file also compiles against CPU-only LibTorch headers (which lack the
// c10/cuda configuration header). With CUDA LibTorch headers the collectives
// run on LibTorch's current stream; otherwise on the legacy default stream,
// which is LibTorch's default stream too.
#include <memory>

#include "common/error.h"
#include "runner/communicator.h"

#ifdef NAR_WITH_NCCL
#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <cuda_runtime_api.h>
#include <nccl.h>

#include "runner/communicator_flat.h"
#if __has_include(<c10/cuda/impl/cuda_cmake_macros.h>)
#include <c10/cuda/CUDAStream.h>
#define NAR_HAVE_C10_CUDA 1
#endif
#endif

namespace nar::runner {

#ifdef NAR_WITH_NCCL
namespace {

void check(ncclResult_t r, const char* what) {
    if (r != ncclSuccess) {
        throw common::Error(std::string("NCCL ") + what + " failed: " + ncclGetErrorString(r));
    }
}

ncclDataType_t nccl_type(const torch::Tensor& t) {
    switch (t.scalar_type()) {
        case torch::kFloat:
            return ncclFloat;
        case torch::kDouble:
            return ncclDouble;
        case torch::kHalf:
            return ncclHalf;
        default:
            throw common::Error(std::string("NCCL communicator: unsupported tensor dtype ") +
                                std::string(c10::toString(t.scalar_type())));
    }
}

class NcclCommunicator final : public Communicator {
  public:
    NcclCommunicator(MPI_Comm comm, int device_index) : mpi_(comm), device_(device_index) {
        MPI_Comm_rank(mpi_, &rank_);
        MPI_Comm_size(mpi_, &size_);
        // Make the rank's GPU current before NCCL binds the communicator to it.
        c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA)
            ->setDevice(c10::Device(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(device_)));
        ncclUniqueId id;
        if (rank_ == 0) check(ncclGetUniqueId(&id), "ncclGetUniqueId");
        MPI_Bcast(&id, sizeof(id), MPI_BYTE, 0, mpi_);
        check(ncclCommInitRank(&nccl_, size_, id, rank_), "ncclCommInitRank");
    }
    ~NcclCommunicator() override {
        if (nccl_ != nullptr) ncclCommDestroy(nccl_);
    }
    int rank() const override { return rank_; }
    int size() const override { return size_; }
    std::string backend() const override { return "nccl"; }

    void allreduce_gradients(const std::vector<torch::Tensor>& params) override {
        if (size_ == 1) return;
        for (auto& buf : flatten_gradients(params)) {
            require_cuda(buf.flat);
            void* p = buf.flat.data_ptr();
            check(ncclAllReduce(p, p, buf.flat.numel(), nccl_type(buf.flat), ncclSum, nccl_,
                                stream()),
                  "ncclAllReduce");
            unflatten(buf);  // ordered after the reduction on the same stream
        }
    }

    void allreduce_sum(std::vector<double>& values) override {
        if (size_ == 1 || values.empty()) return;
        MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_DOUBLE,
                      MPI_SUM, mpi_);
    }

    void broadcast_parameters(const std::vector<torch::Tensor>& params) override {
        if (size_ == 1) return;
        for (auto& buf : flatten_values(params)) {
            require_cuda(buf.flat);
            void* p = buf.flat.data_ptr();
            check(ncclBroadcast(p, p, buf.flat.numel(), nccl_type(buf.flat), 0, nccl_, stream()),
                  "ncclBroadcast");
            unflatten(buf);
        }
    }

    void barrier() override { MPI_Barrier(mpi_); }

  private:
    static void require_cuda(const torch::Tensor& t) {
        if (!t.is_cuda()) throw common::Error("NCCL communicator: parameters must be on a GPU");
    }
    cudaStream_t stream() const {
#ifdef NAR_HAVE_C10_CUDA
        return c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device_)).stream();
#else
        return nullptr;  // legacy default stream
#endif
    }

    MPI_Comm mpi_;
    int device_ = 0;
    int rank_ = 0;
    int size_ = 1;
    ncclComm_t nccl_ = nullptr;
};

}  // namespace

std::unique_ptr<Communicator> make_nccl_communicator(MPI_Comm comm, int device_index) {
    if (comm == MPI_COMM_NULL) throw common::Error("NCCL communicator: MPI_COMM_NULL given");
    return std::make_unique<NcclCommunicator>(comm, device_index);
}

#else

std::unique_ptr<Communicator> make_nccl_communicator(MPI_Comm, int) {
    throw common::Error(
        "this nar was built without NCCL (configure with -DNAR_WITH_NCCL=ON on a CUDA machine); "
        "use the MPI backend");
}

#endif

}  // namespace nar::runner
