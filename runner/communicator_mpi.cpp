// MPI backend (CPU). Weighted shares: each rank scales its loss by
// (its samples / global batch samples) before backward, so the SUM of the
// ranks' gradients is exactly the gradient of the full-batch mean loss; this
// backend therefore only sums. Every rank receives the same reduced buffer,
// then takes the same optimiser step, so parameters stay bit-identical.
#include <algorithm>
#include <climits>
#include <memory>

#include "common/error.h"
#include "runner/communicator.h"
#include "runner/communicator_flat.h"

namespace nar::runner {

namespace {

MPI_Datatype mpi_type(const torch::Tensor& t) {
    switch (t.scalar_type()) {
        case torch::kFloat:
            return MPI_FLOAT;
        case torch::kDouble:
            return MPI_DOUBLE;
        default:
            throw common::Error(std::string("MPI communicator: unsupported tensor dtype ") +
                                std::string(c10::toString(t.scalar_type())) +
                                " (float32 and float64 are supported)");
    }
}

// MPI counts are int; very large buffers go in pieces.
constexpr int64_t kMaxChunk = INT_MAX / 2;

class MpiCommunicator final : public Communicator {
  public:
    explicit MpiCommunicator(MPI_Comm comm) : comm_(comm) {
        MPI_Comm_rank(comm_, &rank_);
        MPI_Comm_size(comm_, &size_);
    }
    int rank() const override { return rank_; }
    int size() const override { return size_; }
    std::string backend() const override { return "mpi"; }

    void allreduce_gradients(const std::vector<torch::Tensor>& params) override {
        if (size_ == 1) return;
        for (auto& buf : flatten_gradients(params)) {
            on_host(buf, [&](char* data, int64_t n, MPI_Datatype type, int64_t elem) {
                for (int64_t off = 0; off < n; off += kMaxChunk) {
                    const int count = static_cast<int>(std::min(kMaxChunk, n - off));
                    MPI_Allreduce(MPI_IN_PLACE, data + off * elem, count, type, MPI_SUM, comm_);
                }
            });
            unflatten(buf);
        }
    }

    void allreduce_sum(std::vector<double>& values) override {
        if (size_ == 1 || values.empty()) return;
        MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_DOUBLE,
                      MPI_SUM, comm_);
    }

    void broadcast_parameters(const std::vector<torch::Tensor>& params) override {
        if (size_ == 1) return;
        for (auto& buf : flatten_values(params)) {
            on_host(buf, [&](char* data, int64_t n, MPI_Datatype type, int64_t elem) {
                for (int64_t off = 0; off < n; off += kMaxChunk) {
                    const int count = static_cast<int>(std::min(kMaxChunk, n - off));
                    MPI_Bcast(data + off * elem, count, type, 0, comm_);
                }
            });
            unflatten(buf);
        }
    }

    void barrier() override { MPI_Barrier(comm_); }

  private:
    // Runs an MPI operation on the buffer's host memory (copying device
    // buffers through the host: the MPI backend is the CPU path).
    template <class Op>
    void on_host(FlatBuffer& buf, Op op) {
        torch::Tensor host = buf.flat.is_cpu() ? buf.flat : buf.flat.to(torch::kCPU);
        op(static_cast<char*>(host.data_ptr()), host.numel(), mpi_type(host),
           static_cast<int64_t>(host.element_size()));
        if (!buf.flat.is_cpu()) buf.flat.copy_(host);
    }

    MPI_Comm comm_;
    int rank_ = 0;
    int size_ = 1;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator(MPI_Comm comm) {
    if (comm == MPI_COMM_NULL) throw common::Error("MPI communicator: MPI_COMM_NULL given");
    return std::make_unique<MpiCommunicator>(comm);
}

}  // namespace nar::runner
