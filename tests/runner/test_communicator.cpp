// Data parallelism over real MPI (mpirun -np 2): a weighted, uneven split of a
// batch trained with Adam matches single-process full-batch training, and the
// ranks' parameters stay bit-identical.
#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>

#include <cstring>

#include "common/error.h"
#include "mpi_test_main.h"
#include "runner/communicator.h"

using namespace nar;

namespace {

int world_rank() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

struct NetImpl : torch::nn::Module {
    NetImpl() {
        fc1 = register_module("fc1", torch::nn::Linear(3, 8));
        fc2 = register_module("fc2", torch::nn::Linear(8, 1));
    }
    torch::Tensor forward(torch::Tensor x) { return fc2(torch::tanh(fc1(x))); }
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Net);

std::vector<torch::Tensor> params_of(Net& net) { return net->parameters(); }

torch::Tensor flat(const std::vector<torch::Tensor>& ps) {
    std::vector<torch::Tensor> v;
    for (const auto& p : ps) v.push_back(p.detach().reshape({-1}));
    return torch::cat(v);
}

// True when every rank holds exactly rank 0's bytes.
bool bit_identical_across_ranks(const torch::Tensor& t) {
    auto mine = t.contiguous();
    auto root = mine.clone();
    MPI_Bcast(root.data_ptr(), static_cast<int>(root.numel() * root.element_size()), MPI_BYTE, 0,
              MPI_COMM_WORLD);
    int same =
        std::memcmp(root.data_ptr(), mine.data_ptr(), mine.numel() * mine.element_size()) == 0;
    MPI_Allreduce(MPI_IN_PLACE, &same, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return same == 1;
}

}  // namespace

TEST(MpiCommunicator, ReportsRankSizeBackend) {
    auto c = runner::make_mpi_communicator(MPI_COMM_WORLD);
    EXPECT_EQ(c->rank(), world_rank());
    EXPECT_EQ(c->size(), 2);
    EXPECT_EQ(c->backend(), "mpi");
    EXPECT_THROW(runner::make_mpi_communicator(MPI_COMM_NULL), common::Error);
}

TEST(MpiCommunicator, AllreduceSumOfHostValues) {
    auto c = runner::make_mpi_communicator(MPI_COMM_WORLD);
    std::vector<double> v{1.0 + c->rank(), 10.0 * c->rank(), 0.25};
    c->allreduce_sum(v);
    EXPECT_EQ(v, (std::vector<double>{3.0, 10.0, 0.5}));
}

TEST(MpiCommunicator, BroadcastCopiesRankZeroParameters) {
    auto c = runner::make_mpi_communicator(MPI_COMM_WORLD);
    torch::manual_seed(1 + c->rank());  // different initialisation on each rank
    Net net;
    net->to(torch::kFloat64);
    auto before = flat(params_of(net));
    EXPECT_FALSE(bit_identical_across_ranks(before));
    c->broadcast_parameters(params_of(net));
    auto after = flat(params_of(net));
    EXPECT_TRUE(bit_identical_across_ranks(after));
    if (c->rank() == 0) {
        EXPECT_TRUE(torch::equal(before, after));
    }
}

TEST(MpiCommunicator, AllreduceGradientsFloatAndDoubleInOneCall) {
    auto c = runner::make_mpi_communicator(MPI_COMM_WORLD);
    auto a = torch::zeros({5}, torch::kFloat32).requires_grad_(true);
    auto b = torch::zeros({2, 3}, torch::kFloat64).requires_grad_(true);
    a.mutable_grad() = torch::full({5}, 1.5f * (c->rank() + 1));
    b.mutable_grad() = torch::arange(6, torch::kFloat64).reshape({2, 3}) * (c->rank() + 1);
    c->allreduce_gradients({a, b});
    EXPECT_TRUE(torch::equal(a.grad(), torch::full({5}, 4.5f)));
    EXPECT_TRUE(torch::equal(b.grad(), torch::arange(6, torch::kFloat64).reshape({2, 3}) * 3));
}

TEST(MpiCommunicator, WeightedDataParallelAdamEqualsFullBatch) {
    auto comm = runner::make_mpi_communicator(MPI_COMM_WORLD);
    const int rank = comm->rank();
    // The global batch: 8 samples, split unevenly 5 (rank 0) + 3 (rank 1).
    torch::manual_seed(7);
    auto x = torch::randn({8, 3}, torch::kFloat64);
    auto y = torch::randn({8, 1}, torch::kFloat64);
    const int64_t lo = rank == 0 ? 0 : 5, n = rank == 0 ? 5 : 3;
    const double share = static_cast<double>(n) / 8.0;

    torch::manual_seed(3);
    Net ref;
    ref->to(torch::kFloat64);
    Net dp;
    dp->to(torch::kFloat64);
    {
        torch::NoGradGuard g;
        for (size_t i = 0; i < ref->parameters().size(); ++i) {
            dp->parameters()[i].copy_(ref->parameters()[i]);
        }
    }
    comm->broadcast_parameters(params_of(dp));
    const auto init = flat(params_of(ref));
    torch::optim::Adam opt_ref(ref->parameters(), torch::optim::AdamOptions(1e-2));
    torch::optim::Adam opt_dp(dp->parameters(), torch::optim::AdamOptions(1e-2));
    for (int step = 0; step < 6; ++step) {
        opt_ref.zero_grad();
        torch::mse_loss(ref->forward(x), y).backward();  // mean over all 8
        opt_ref.step();

        opt_dp.zero_grad();
        auto local = torch::mse_loss(dp->forward(x.narrow(0, lo, n)), y.narrow(0, lo, n));
        (local * share).backward();  // weighted by this rank's share of the batch
        comm->allreduce_gradients(params_of(dp));
        opt_dp.step();
    }
    auto got = flat(params_of(dp)), want = flat(params_of(ref));
    EXPECT_FALSE(torch::equal(want, init));  // it trained
    const double diff = (got - want).abs().max().item<double>();
    EXPECT_LE(diff, 1e-12) << "rank " << rank;
    EXPECT_TRUE(bit_identical_across_ranks(got));
}

int main(int argc, char** argv) { return mpi_test_main(argc, argv); }
