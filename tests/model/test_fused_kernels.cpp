// The fused CPU kernels (norm_act_dropout, edge_attention) give the outputs and
// gradients of the LibTorch composites they replace, dropout masks included.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "model/degree_gate.h"
#include "model/dropout.h"
#include "model/dropout_mask.h"
#include "model/edge_attention.h"
#include "model/fused_kernels.h"
#include "model/graph_batch.h"
#include "model/group_matmul.h"
#include "model/l2_norm_act.h"
#include "model/norm_act.h"
#include "model/packed_graph.h"

namespace nar::model::test {
namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kFloat64);

struct NormGrads {
    torch::Tensor y, gx, gg, gb;
};

template <typename Fn>
NormGrads run_norm(Fn fn, const torch::Tensor& x0, const torch::Tensor& grad, bool relu, double p,
                   bool train) {
    auto x = x0.clone().requires_grad_(true);
    auto g = (torch::rand({x0.size(-1)}, x0.options()) + 0.5).requires_grad_(true);
    auto b = (torch::randn({x0.size(-1)}, x0.options()) * 0.1).requires_grad_(true);
    torch::manual_seed(11);  // the same dropout seed on both sides
    auto y = fn(x, g, b, 1e-5, relu, p, train, torch::Tensor(), c10::nullopt);
    y.backward(grad);
    return {y.detach(), x.grad(), g.grad(), b.grad()};
}

TEST(NormActDropout, MatchesLayerNormThenDropout) {
    for (const bool relu : {false, true}) {
        for (const double p : {0.0, 0.3}) {
            for (const bool train : {false, true}) {
                torch::manual_seed(3);
                const auto x = torch::randn({3, 37, 48}, kF64) * 2 + 0.5;
                const auto grad = torch::randn({3, 37, 48}, kF64);
                torch::manual_seed(5);
                const auto a = run_norm(norm_act_dropout, x, grad, relu, p, train);
                torch::manual_seed(5);
                const auto r = run_norm(norm_act_dropout_reference, x, grad, relu, p, train);
                const auto what = ::testing::Message()
                                  << "relu " << relu << " p " << p << " train " << train;
                EXPECT_TRUE(torch::allclose(a.y, r.y, 1e-10, 1e-12)) << what;
                EXPECT_TRUE(torch::allclose(a.gx, r.gx, 1e-9, 1e-11)) << what;
                EXPECT_TRUE(torch::allclose(a.gg, r.gg, 1e-9, 1e-11)) << what;
                EXPECT_TRUE(torch::allclose(a.gb, r.gb, 1e-9, 1e-11)) << what;
                if (train && p > 0) {  // the mask really dropped something
                    const double zeros = (a.y == 0).to(torch::kFloat64).mean().item<double>();
                    EXPECT_GT(zeros, relu ? 0.5 : 0.2) << what;
                }
            }
        }
    }
}

TEST(NormActDropout, GroupBiasMatchesAddThenNorm) {
    torch::manual_seed(12);
    const auto x0 = torch::randn({4, 300, 32}, kF64), grad = torch::randn({4, 300, 32}, kF64);
    const auto bias0 = torch::randn({4, 32}, kF64);
    const auto run = [&](auto fn) {
        auto x = x0.clone().requires_grad_(true), bias = bias0.clone().requires_grad_(true);
        auto g = torch::ones({32}, kF64).requires_grad_(true);
        auto b = torch::zeros({32}, kF64).requires_grad_(true);
        torch::manual_seed(13);
        fn(x, g, b, 1e-5, true, 0.25, true, bias, c10::nullopt).backward(grad);
        return std::vector<torch::Tensor>{x.grad(), bias.grad(), g.grad(), b.grad()};
    };
    const auto a = run(norm_act_dropout), r = run(norm_act_dropout_reference);
    for (size_t i = 0; i < a.size(); ++i)
        EXPECT_TRUE(torch::allclose(a[i], r[i], 1e-9, 1e-11)) << i;
    EXPECT_THROW(norm_act_dropout(x0, torch::ones({32}, kF64), torch::zeros({32}, kF64), 1e-5,
                                  false, 0, false, torch::zeros({3, 32}, kF64)),
                 std::exception);
}

TEST(NormActDropout, Float32ThreadsAgree) {
    torch::manual_seed(1);
    const auto x = torch::randn({64, 256});
    const auto grad = torch::randn({64, 256});
    const int before = torch::get_num_threads();
    torch::set_num_threads(1);
    torch::manual_seed(2);
    const auto one = run_norm(norm_act_dropout, x, grad, true, 0.2, true);
    torch::set_num_threads(2);
    torch::manual_seed(2);
    const auto two = run_norm(norm_act_dropout, x, grad, true, 0.2, true);
    torch::set_num_threads(before);
    EXPECT_TRUE(torch::equal(one.y, two.y));
    EXPECT_TRUE(torch::equal(one.gx, two.gx));
    EXPECT_TRUE(torch::allclose(one.gg, two.gg, 1e-5, 1e-6));
}

// Random undirected edges over t nodes in one graph.
PackedGraph graph_of_size(int64_t t) {
    auto a = (torch::rand({t, t}, kF64) > 0.8).to(torch::kFloat64).triu(1);
    return PackedGraph::build(pad_graphs({torch::zeros({t, 1}, kF64)}, {a + a.t()}));
}

// A copy of t whose data starts `offset` elements into a larger buffer.
torch::Tensor at_offset(const torch::Tensor& t, int64_t offset) {
    auto big = torch::zeros({t.numel() + 16}, t.options());
    auto view = big.narrow(0, offset, t.numel()).view(t.sizes());
    view.copy_(t);
    return view;
}

// Bit-identical results wherever the tensors sit in memory (vector loops must
// not change their summation order with the alignment).
TEST(FusedKernels, ResultsDoNotDependOnAlignment) {
    torch::manual_seed(6);
    const auto x = torch::randn({40, 48}, kF64), grad = torch::randn({40, 48}, kF64);
    const auto gamma = torch::rand({48}, kF64) + 0.5, beta = torch::randn({48}, kF64);
    PackedGraph g = graph_of_size(40);
    std::vector<torch::Tensor> first;
    for (int64_t off = 0; off < 16; ++off) {
        std::vector<torch::Tensor> got;
        auto a = at_offset(x, off).requires_grad_(true);
        norm_act_dropout(a, gamma, beta, 1e-5, true, 0.0, false).backward(at_offset(grad, off));
        got.push_back(a.grad());
        auto b = at_offset(x, off).requires_grad_(true);
        l2norm_relu_dropout(b, 1e-12, 0.0, false).backward(at_offset(grad, off));
        got.push_back(b.grad());
        auto s = at_offset(torch::sigmoid(x), off).requires_grad_(true);
        auto xe = at_offset(x, (off * 7) % 16).requires_grad_(true);
        edge_attention(s, xe, g, 0.3).backward(at_offset(grad, off));
        got.push_back(s.grad());
        got.push_back(xe.grad());
        if (off == 0) {
            first = got;
            continue;
        }
        for (size_t i = 0; i < got.size(); ++i)
            EXPECT_TRUE(torch::equal(got[i], first[i])) << off << " " << i;
    }
}

TEST(L2NormReluDropout, RepeatableInFloat32) {
    for (const int64_t w : {8, 24, 512}) {
        torch::manual_seed(3);
        const auto v0 = torch::randn({300, w}), grad = torch::randn({300, w});
        std::vector<torch::Tensor> first;
        for (int rep = 0; rep < 6; ++rep) {
            std::vector<torch::Tensor> junk;  // move the heap around between repeats
            for (int j = 0; j < rep; ++j) junk.push_back(torch::randn({1 + 37 * j}));
            auto v = at_offset(v0, rep).requires_grad_(true);
            torch::manual_seed(4);
            const auto y = l2norm_relu_dropout(v, 1e-12, 0.2, true);
            y.backward(at_offset(grad, 5 - rep));
            if (rep == 0) {
                first = {y.detach(), v.grad()};
                continue;
            }
            EXPECT_TRUE(torch::equal(y, first[0])) << w << " " << rep;
            EXPECT_TRUE(torch::equal(v.grad(), first[1])) << w << " " << rep;
        }
    }
}

TEST(FusedKernels, CompositeSwitchNamesKernelsAndRejectsUnknownOnes) {
    EXPECT_TRUE(parse_composite("").empty());
    EXPECT_EQ(parse_composite("l2,edge"), (std::vector<Kernel>{Kernel::L2, Kernel::Edge}));
    EXPECT_EQ(parse_composite("all").size(), 8u);
    EXPECT_EQ(parse_composite("residual"), (std::vector<Kernel>{Kernel::Residual}));
    EXPECT_EQ(parse_composite("ffn"), (std::vector<Kernel>{Kernel::Ffn}));
    EXPECT_EQ(parse_composite("gemm"), (std::vector<Kernel>{Kernel::Gemm}));
    EXPECT_EQ(parse_composite("group"), (std::vector<Kernel>{Kernel::Group}));
    try {
        parse_composite("norm,nrom");
        ADD_FAILURE() << "no error";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("NAR_COMPOSITE: unknown kernel 'nrom'"),
                  std::string::npos)
            << e.what();
    }
}

// Groups spread over threads, each a one-thread BLAS call: the same numbers
// as torch::bmm, forward and both gradients, whatever the thread count.
TEST(GroupMatmul, MatchesBmmWithGradientsOnOneAndTwoThreads) {
    const int before = at::get_num_threads();
    for (int threads : {1, 2}) {
        at::set_num_threads(threads);
        for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
            torch::manual_seed(7);
            const auto opt = torch::TensorOptions().dtype(dtype);
            const auto x0 = torch::randn({8, 203, 64}, opt), w0 = torch::randn({8, 64, 96}, opt);
            const auto up = torch::randn({8, 203, 96}, opt);
            auto x1 = x0.clone().requires_grad_(), w1 = w0.clone().requires_grad_();
            auto x2 = x0.clone().requires_grad_(), w2 = w0.clone().requires_grad_();
            const auto y1 = nar::model::group_matmul(x1, w1);
            const auto y2 = torch::bmm(x2, w2);
            // On 2 threads the per-group kernel runs, on 1 LibTorch's bmm.
            const bool own = y1.grad_fn()->name().find("GroupMatmulFn") != std::string::npos;
            EXPECT_EQ(own, threads > 1) << y1.grad_fn()->name();
            (y1 * up).sum().backward();
            (y2 * up).sum().backward();
            const double tol = dtype == torch::kFloat64 ? 1e-12 : 1e-5;
            EXPECT_TRUE(torch::allclose(y1, y2, tol, tol)) << threads;
            EXPECT_TRUE(torch::allclose(x1.grad(), x2.grad(), tol, tol)) << threads;
            EXPECT_TRUE(torch::allclose(w1.grad(), w2.grad(), tol, tol)) << threads;
        }
    }
    at::set_num_threads(before);
}

TEST(DropoutMask, MasksOfSuccessiveCallsAreIndependent) {
    const double p = 0.3;
    const auto a = DropoutMask::make(draw_dropout_seed(), p);
    const auto b = DropoutMask::make(draw_dropout_seed(), p);
    const int64_t n = 1 << 20;
    int64_t drop_a = 0, both = 0;
    for (int64_t i = 0; i < n; ++i) {
        const bool da = !a.keep(i), db = !b.keep(i);
        drop_a += da;
        both += da && db;
    }
    EXPECT_NEAR(static_cast<double>(drop_a) / n, p, 2.5e-3);  // ~5 sd
    EXPECT_NEAR(static_cast<double>(both) / n, p * p, 2.5e-3);
    // neighbouring elements are not correlated either
    int64_t pairs = 0;
    for (int64_t i = 0; i + 1 < n; i += 2) pairs += !a.keep(i) && !a.keep(i + 1);
    EXPECT_NEAR(static_cast<double>(pairs) / (n / 2), p * p, 4e-3);
}

TEST(L2NormReluDropout, MatchesNormalizeThenDropout) {
    for (const double p : {0.0, 0.4}) {
        for (const bool train : {false, true}) {
            torch::manual_seed(8);
            auto v0 = torch::randn({50, 40}, kF64);
            v0.select(0, 3).zero_();  // a zero row: the norm is clamped to eps
            v0.select(0, 4).mul_(1e-14);
            const auto grad = torch::randn({50, 40}, kF64);
            const auto run = [&](auto fn) {
                auto v = v0.clone().requires_grad_(true);
                torch::manual_seed(21);
                auto y = fn(v, 1e-12, p, train);
                y.backward(grad);
                return std::pair{y.detach(), v.grad()};
            };
            const auto a = run(l2norm_relu_dropout), r = run(l2norm_relu_dropout_reference);
            EXPECT_TRUE(torch::allclose(a.first, r.first, 1e-10, 1e-12)) << p << train;
            EXPECT_TRUE(torch::allclose(a.second, r.second, 1e-9, 1e-10)) << p << train;
        }
    }
}

TEST(DegreeGate, MatchesTheCompositeWithGradients) {
    torch::manual_seed(14);
    torch::nn::Linear deg(1, 24);
    deg->to(torch::kFloat64);
    const auto x0 = torch::randn({200, 24}, kF64), grad = torch::randn({200, 24}, kF64);
    const auto degree = torch::randint(0, 6, {200, 1}, kF64);
    const auto run = [&](auto fn) {
        auto x = x0.clone().requires_grad_(true);
        deg->zero_grad();
        auto y = fn(x, degree, deg);
        y.backward(grad);
        return std::vector<torch::Tensor>{y.detach(), x.grad(), deg->weight.grad().clone(),
                                          deg->bias.grad().clone()};
    };
    const auto a = run(degree_gate), r = run(degree_gate_reference);
    for (size_t i = 0; i < a.size(); ++i)
        EXPECT_TRUE(torch::allclose(a[i], r[i], 1e-10, 1e-12)) << i;
}

// Three graphs, one with an isolated node, as PackedGraph.
PackedGraph small_graph(torch::Tensor* x) {
    std::vector<torch::Tensor> xs, adjs;
    for (int64_t n : {7, 5, 9}) {
        xs.push_back(torch::randn({n, 24}, kF64));
        auto a = (torch::rand({n, n}, kF64) > 0.55).to(torch::kFloat64).triu(1);
        a.select(0, 0).zero_();  // node 0 has no edges
        a.select(1, 0).zero_();
        adjs.push_back(a + a.t());
    }
    const auto batch = pad_graphs(xs, adjs);
    const auto g = PackedGraph::build(batch);
    *x = g.unpad(batch.x);
    return g;
}

TEST(EdgeAttention, MatchesTheCompositeWithGradients) {
    torch::manual_seed(9);
    torch::Tensor x0;
    const auto g = small_graph(&x0);
    ASSERT_TRUE(g.row_ptr.defined());
    const auto s0 = torch::sigmoid(torch::randn(x0.sizes(), kF64));
    const auto grad = torch::randn(x0.sizes(), kF64);
    const auto run = [&](auto fn) {
        auto s = s0.clone().requires_grad_(true), x = x0.clone().requires_grad_(true);
        auto y = fn(s, x, g, 0.2);
        y.backward(grad);
        return std::vector<torch::Tensor>{y.detach(), s.grad(), x.grad()};
    };
    const auto a = run(edge_attention), r = run(edge_attention_reference);
    for (size_t i = 0; i < a.size(); ++i)
        EXPECT_TRUE(torch::allclose(a[i], r[i], 1e-10, 1e-12)) << i;
    EXPECT_EQ(a[0].select(0, 0).abs().sum().item<double>(), 0.0);  // the isolated node
}

TEST(EdgeAttention, CsrViewsDescribeTheEdgeList) {
    torch::manual_seed(4);
    torch::Tensor x;
    const auto g = small_graph(&x);
    const int64_t t = g.nodes();
    ASSERT_EQ(g.row_ptr.size(0), t + 1);
    EXPECT_EQ(g.row_ptr[t].item<int64_t>(), g.dst.size(0));
    for (int64_t i = 0; i < t; ++i) {
        for (int64_t e = g.row_ptr[i].item<int64_t>(); e < g.row_ptr[i + 1].item<int64_t>(); ++e)
            EXPECT_EQ(g.dst[e].item<int64_t>(), i);
        for (int64_t q = g.src_ptr[i].item<int64_t>(); q < g.src_ptr[i + 1].item<int64_t>(); ++q)
            EXPECT_EQ(g.src[g.by_src[q].item<int64_t>()].item<int64_t>(), i);
    }
}

}  // namespace
}  // namespace nar::model::test
