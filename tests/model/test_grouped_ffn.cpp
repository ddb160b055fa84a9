// The fused grouped FFN gives the per-operation path's outputs and gradients
// (dropout masks included), and the same bits on any thread count.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "model/group_linear.h"
#include "model/grouped_ffn.h"
#include "model/matmul_precision.h"

namespace nar::model::test {
namespace {

struct Ffn {
    GroupLinear up, down;
    Ffn(int64_t dim, int64_t groups, torch::ScalarType dtype)
        : up(dim, 4 * dim, groups), down(4 * dim, dim, groups) {
        up->to(dtype);
        down->to(dtype);
        // Away from the initial γ = 1, β = 0, bias = 0, so every term shows.
        const torch::NoGradGuard no_grad;
        for (auto& p : up->parameters()) p.add_(torch::randn_like(p) * 0.3);
        for (auto& p : down->parameters()) p.add_(torch::randn_like(p) * 0.3);
    }
    std::vector<torch::Tensor> params() const {
        auto v = up->parameters();
        for (const auto& p : down->parameters()) v.push_back(p);
        return v;
    }
};

struct FfnRun {
    std::string fn;
    std::vector<torch::Tensor> out;  // y, x's gradient, then every parameter's
};

FfnRun run(Ffn& f, const torch::Tensor& x0, const torch::Tensor& up_grad, double p, bool train,
           bool fused) {
    for (auto& q : f.params()) q.mutable_grad().reset();
    auto x = x0.clone().requires_grad_(true);
    torch::manual_seed(11);  // the same dropout seeds on both sides
    const auto y = fused ? grouped_ffn(x, *f.up, *f.down, p, train)
                         : grouped_ffn_per_op(x, *f.up, *f.down, p, train);
    (y * up_grad).sum().backward();
    FfnRun r{y.grad_fn()->name(), {y.detach(), x.grad()}};
    for (const auto& q : f.params()) r.out.push_back(q.grad().clone());
    return r;
}

TEST(GroupedFfn, MatchesThePerOperationPathWithGradients) {
    const int before = at::get_num_threads();
    for (const int threads : {1, 2, 3}) {
        at::set_num_threads(threads);
        for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
            // 203 rows: one norm chunk per group; 601: three, the last one short.
            for (const int64_t rows : {203, 601}) {
                for (const bool train : {true, false}) {
                    torch::manual_seed(5);
                    Ffn f(64, 4, dtype);
                    const auto opt = torch::TensorOptions().dtype(dtype);
                    const auto x = torch::randn({rows, 64}, opt);
                    const auto up = torch::randn({rows, 64}, opt);
                    const auto a = run(f, x, up, 0.25, train, true);
                    const auto b = run(f, x, up, 0.25, train, false);
                    const std::string at = std::to_string(threads) + " threads, " +
                                           std::to_string(rows) + " rows, train " +
                                           std::to_string(train);
                    EXPECT_NE(a.fn.find("GroupedFfnFn"), std::string::npos) << a.fn << ", " << at;
                    EXPECT_EQ(b.fn.find("GroupedFfnFn"), std::string::npos) << b.fn << ", " << at;
                    const double tol = dtype == torch::kFloat64 ? 1e-10 : 2e-4;
                    ASSERT_EQ(a.out.size(), 10u);
                    for (size_t i = 0; i < a.out.size(); ++i) {
                        EXPECT_TRUE(torch::allclose(a.out[i], b.out[i], tol, tol))
                            << "output " << i << ", " << at << ": max diff "
                            << (a.out[i] - b.out[i]).abs().max().item<double>();
                    }
                }
            }
        }
    }
    at::set_num_threads(before);
}

// Each group runs whole on one thread with one-thread GEMMs, and the partial
// sums are per chunk of rows: the thread count cannot change a bit.
TEST(GroupedFfn, SameBitsOnOneAndTwoThreads) {
    const int before = at::get_num_threads();
    torch::manual_seed(6);
    Ffn f(64, 8, torch::kFloat32);
    const auto x = torch::randn({700, 64}), up = torch::randn({700, 64});
    std::vector<FfnRun> runs;
    for (const int threads : {1, 2}) {
        at::set_num_threads(threads);
        runs.push_back(run(f, x, up, 0.1, true, true));
    }
    at::set_num_threads(before);
    for (size_t i = 0; i < runs[0].out.size(); ++i) {
        EXPECT_TRUE(torch::equal(runs[0].out[i], runs[1].out[i])) << "output " << i;
    }
}

TEST(GroupedFfn, PerOperationPathWhereTheFusedOneDoesNotApply) {
    const int before = at::get_num_threads();
    Ffn f(64, 2, torch::kFloat32);
    const auto x = torch::randn({50, 64});
    EXPECT_TRUE(grouped_ffn_applies(x, *f.up, *f.down, 0.1, true));
    // bf16 products take the per-operation path's bf16 kernels.
    {
        const PrecisionGuard bf16(Precision::BF16);
        EXPECT_FALSE(grouped_ffn_applies(x, *f.up, *f.down, 0.1, true));
    }
    EXPECT_FALSE(grouped_ffn_applies(x.to(torch::kFloat64), *f.up, *f.down, 0.1, true));
    EXPECT_FALSE(grouped_ffn_applies(x, *f.up, *f.down, 1.0, true));
    EXPECT_TRUE(grouped_ffn_applies(x, *f.up, *f.down, 1.0, false));
    // More threads than groups would leave threads idle: per operation instead.
    at::set_num_threads(3);
    EXPECT_FALSE(grouped_ffn_applies(x, *f.up, *f.down, 0.1, true));
    at::set_num_threads(before);
}

}  // namespace
}  // namespace nar::model::test
