// model/gemm.h: C = A·B + beta·C for every operand layout the model hands it
// (transposed views, column blocks of wider matrices, one-row and one-column
// edges), the same as a float64 reference to float32 rounding, on oneDNN when
// built with it and on LibTorch otherwise; the float32 linear products built
// on it give torch::nn::Linear's values and gradients.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <omp.h>
#include <pthread.h>
#include <torch/torch.h>

#include <array>
#include <csignal>
#include <limits>
#include <string>
#include <vector>

#include "common/error.h"
#include "model/gemm.h"
#include "model/matmul_precision.h"

namespace nar::model::test {
namespace {

// An r×c matrix stored as asked: transposed (the view of a c×r tensor), or a
// column block of a wider tensor (leading dimension > c).
torch::Tensor matrix(int64_t r, int64_t c, bool trans, bool wide, torch::ScalarType t) {
    const auto o = torch::TensorOptions().dtype(t);
    if (trans) {
        auto s = torch::randn({c, wide ? r + 5 : r}, o);
        return s.narrow(1, wide ? 3 : 0, r).t();
    }
    auto s = torch::randn({r, wide ? c + 7 : c}, o);
    return s.narrow(1, wide ? 2 : 0, c);
}

void expect_close(const torch::Tensor& got, const torch::Tensor& want, const std::string& what) {
    ASSERT_EQ(got.sizes(), want.sizes()) << what;
    const double err = (got.to(torch::kFloat64) - want).abs().max().item<double>();
    const double scale = want.abs().max().item<double>() + 1;
    EXPECT_LT(err / scale, 1e-5) << what << ": max error " << err;
}

TEST(Gemm, MatchesFloat64ReferenceForEveryLayoutAndBeta) {
    torch::manual_seed(11);
    const std::vector<std::array<int64_t, 3>> shapes = {{37, 24, 16}, {1641, 64, 256}, {1, 33, 17},
                                                        {29, 1, 13},  {19, 21, 1},     {1, 1, 1}};
    for (const auto& [m, k, n] : shapes) {
        for (int layout = 0; layout < 16; ++layout) {
            const bool ta = layout & 1, tb = layout & 2, wa = layout & 4, wb = layout & 8;
            for (const float beta : {0.0f, 1.0f, 0.5f}) {
                const auto a = matrix(m, k, ta, wa, torch::kFloat32);
                const auto b = matrix(k, n, tb, wb, torch::kFloat32);
                // c: a column block of a wider row-major matrix; the rest must stay.
                auto store = torch::randn({m, n + 4});
                const auto before = store.clone();
                auto c = store.narrow(1, 1, n);
                const auto want =
                    a.to(torch::kFloat64).mm(b.to(torch::kFloat64)) + beta * c.to(torch::kFloat64);
                gemm_out(c, a, b, beta);
                const std::string what = std::to_string(m) + "x" + std::to_string(k) + "x" +
                                         std::to_string(n) + " layout " + std::to_string(layout) +
                                         " beta " + std::to_string(beta);
                expect_close(c, want, what);
                EXPECT_TRUE(torch::equal(store.narrow(1, 0, 1), before.narrow(1, 0, 1))) << what;
                EXPECT_TRUE(torch::equal(store.narrow(1, n + 1, 3), before.narrow(1, n + 1, 3)))
                    << what;
            }
        }
    }
}

TEST(Gemm, BetaZeroNeverReadsTheOutput) {
    torch::manual_seed(12);
    const auto a = torch::randn({40, 30}), b = torch::randn({30, 20});
    auto c = torch::full({40, 20}, std::numeric_limits<float>::quiet_NaN());
    gemm_out(c, a, b);
    EXPECT_TRUE(torch::isfinite(c).all().item<bool>());
    expect_close(c, a.to(torch::kFloat64).mm(b.to(torch::kFloat64)), "NaN output, beta 0");
}

TEST(Gemm, OtherDtypesAndLayoutsGoThroughLibTorch) {
    torch::manual_seed(13);
    EXPECT_EQ(gemm_uses_dnnl(torch::ones({2, 2})), built_with_dnnl());
    EXPECT_FALSE(gemm_uses_dnnl(torch::ones({2, 2}, torch::kFloat64)));
    const auto a = torch::randn({9, 8}, torch::kFloat64), b = torch::randn({8, 5}, torch::kFloat64);
    EXPECT_TRUE(torch::equal(gemm(a, b), torch::mm(a, b)));
    // A column-major output is not a BLAS row-major C: the LibTorch path writes it.
    const auto af = torch::randn({9, 8}), bf = torch::randn({8, 5});
    auto c = torch::empty({5, 9}).t();
    gemm_out(c, af, bf, 0);
    expect_close(c, af.to(torch::kFloat64).mm(bf.to(torch::kFloat64)), "column-major output");
    // Every other element (stride 2 in both dimensions): neither row- nor column-major.
    const auto sa = torch::randn({18, 16}).slice(0, 0, 18, 2).slice(1, 0, 16, 2);
    auto cs = torch::empty({9, 5});
    gemm_out(cs, sa, bf.narrow(0, 0, 8));
    expect_close(cs, sa.to(torch::kFloat64).mm(bf.to(torch::kFloat64)), "strided operand");
}

// oneDNN's product holds SIGTERM and SIGUSR1 (see gemm.cpp) and then gives
// the thread its own mask back: unblocked stays unblocked, blocked stays blocked.
TEST(Gemm, GivesTheSignalMaskBack) {
    const auto blocked = [](int sig) {
        sigset_t now;
        pthread_sigmask(SIG_SETMASK, nullptr, &now);
        return sigismember(&now, sig) == 1;
    };
    const auto a = torch::randn({64, 64}), b = torch::randn({64, 64});
    auto c = torch::empty({64, 64});
    ASSERT_FALSE(blocked(SIGTERM));
    gemm_out(c, a, b);
    EXPECT_FALSE(blocked(SIGTERM));
    EXPECT_FALSE(blocked(SIGUSR1));
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &term, nullptr);
    gemm_out(c, a, b);
    EXPECT_TRUE(blocked(SIGTERM));
    EXPECT_FALSE(blocked(SIGUSR1));
    pthread_sigmask(SIG_UNBLOCK, &term, nullptr);
}

// A product on two threads leaves the stop signals blocked in LibTorch's
// OpenMP workers (so they never take one inside oneDNN) and not in the caller.
TEST(Gemm, WorkerThreadsHoldTheStopSignals) {
    if (!built_with_dnnl()) GTEST_SKIP() << "built without oneDNN";
    const int before = at::get_num_threads();
    at::set_num_threads(2);
    const auto a = torch::randn({256, 256}), b = torch::randn({256, 256});
    auto c = torch::empty({256, 256});
    gemm_out(c, a, b);
    std::vector<int> worker_blocked(2, -1);
#pragma omp parallel num_threads(2)
    {
        sigset_t now;
        pthread_sigmask(SIG_SETMASK, nullptr, &now);
        worker_blocked[omp_get_thread_num()] =
            sigismember(&now, SIGTERM) == 1 && sigismember(&now, SIGUSR1) == 1;
    }
    at::set_num_threads(before);
    EXPECT_EQ(worker_blocked[0], 0) << "the calling thread must still take signals";
    EXPECT_EQ(worker_blocked[1], 1) << "the worker must hold SIGTERM and SIGUSR1";
}

// On two threads a product is split into one-thread blocks of c's rows or
// columns (oneDNN's own threading of transposed-B and small products is slow):
// every block lands where it belongs, with beta, in a column block of a wider
// c, and inside a parallel region (one thread, no split) as well.
TEST(Gemm, SplitOverTwoThreadsGivesTheOneThreadProduct) {
    torch::manual_seed(5);
    const int before = at::get_num_threads();
    // {m, k, n, trans_a, trans_b}: rows split (m >= n) and columns split, odd lengths
    const std::vector<std::array<int64_t, 5>> cases = {{64, 512, 512, 0, 1}, {1641, 152, 512, 0, 1},
                                                       {64, 64, 256, 0, 0},  {33, 70, 701, 1, 1},
                                                       {513, 64, 40, 1, 0},  {31, 9, 17, 0, 1}};
    for (const auto& [m, k, n, ta, tb] : cases) {
        for (const float beta : {0.0f, 0.5f}) {
            const auto a = matrix(m, k, ta, true, torch::kFloat32);
            const auto b = matrix(k, n, tb, true, torch::kFloat32);
            auto store = torch::randn({m, n + 3});
            auto c_init = store.narrow(1, 2, n).clone();
            const auto want =
                a.to(torch::kFloat64).mm(b.to(torch::kFloat64)) + beta * c_init.to(torch::kFloat64);
            const std::string what = std::to_string(m) + "x" + std::to_string(k) + "x" +
                                     std::to_string(n) + " beta " + std::to_string(beta);
            at::set_num_threads(2);
            auto two = store.clone();
            auto c2 = two.narrow(1, 2, n);
            gemm_out(c2, a, b, beta);
            at::set_num_threads(1);
            auto one = store.clone();
            auto c1 = one.narrow(1, 2, n);
            gemm_out(c1, a, b, beta);
            expect_close(c2, want, what + ", 2 threads");
            expect_close(c1, want, what + ", 1 thread");
            EXPECT_TRUE(two.narrow(1, 0, 2).equal(store.narrow(1, 0, 2))) << what;
            EXPECT_TRUE(two.narrow(1, n + 2, 1).equal(store.narrow(1, n + 2, 1))) << what;
            // inside a parallel region: each thread its own product
            at::set_num_threads(2);
            std::vector<torch::Tensor> inner(2);
            at::parallel_for(0, 2, 1, [&](int64_t lo, int64_t hi) {
                for (int64_t i = lo; i < hi; ++i) {
                    inner[i] = c_init.clone();
                    gemm_out(inner[i], a, b, beta);
                }
            });
            for (const auto& t : inner) expect_close(t, want, what + ", in a parallel region");
        }
    }
    at::set_num_threads(before);
}

TEST(Gemm, ShapesThatDoNotMultiplyAreAnError) {
    auto c = torch::empty({3, 4});
    try {
        gemm_out(c, torch::ones({3, 5}), torch::ones({6, 4}));
        ADD_FAILURE() << "no error";
    } catch (const common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("[3, 5] x [6, 4] does not multiply into [3, 4]"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(gemm_out(c, torch::ones({3, 5}), torch::ones({5, 3})), common::Error);
    EXPECT_THROW(gemm_out(c, torch::ones({3}), torch::ones({3, 4})), common::Error);
    auto empty = torch::empty({3, 4});
    gemm_out(empty, torch::ones({3, 0}), torch::ones({0, 4}));  // k = 0: a zero sum
    EXPECT_TRUE(torch::equal(empty, torch::zeros({3, 4})));
}

// linear_product and add_linear_product_ in float32: torch::nn::Linear's values
// and gradients (inputs, weights, bias) to float32 rounding, for a contiguous
// and a column-block input.
TEST(Gemm, Float32LinearProductsGiveLinearsValuesAndGradients) {
    torch::manual_seed(14);
    for (const bool block : {false, true}) {
        const auto wide = torch::randn({53, block ? 40 : 24});
        const auto x0 = block ? wide.narrow(1, 9, 24) : wide;
        const auto w0 = torch::randn({16, 24}), b0 = torch::randn({16}),
                   r0 = torch::randn({16, 24});
        const auto g = torch::randn({53, 16});
        std::vector<std::vector<torch::Tensor>> runs;
        for (const bool ours : {true, false}) {
            auto x = x0.clone().requires_grad_(true), w = w0.clone().requires_grad_(true),
                 b = b0.clone().requires_grad_(true), r = r0.clone().requires_grad_(true);
            const auto xin = block
                                 ? torch::cat({torch::zeros({53, 9}), x, torch::zeros({53, 7})}, 1)
                                       .narrow(1, 9, 24)
                                 : x * 1;
            torch::Tensor y;
            if (ours) {
                y = linear_product(xin, w, b) + linear_product(xin, r, torch::Tensor());
                add_linear_product_(y, xin, r);
            } else {
                y = torch::nn::functional::linear(xin, w, b) + 2 * xin.mm(r.t());
            }
            (y * g).sum().backward();
            runs.push_back({y.detach(), x.grad(), w.grad(), b.grad(), r.grad()});
        }
        const char* names[] = {"y", "dx", "dw", "db", "dr"};
        for (size_t i = 0; i < runs[0].size(); ++i) {
            expect_close(runs[0][i], runs[1][i].to(torch::kFloat64),
                         std::string(names[i]) + (block ? " (column block)" : ""));
        }
    }
}

}  // namespace
}  // namespace nar::model::test
