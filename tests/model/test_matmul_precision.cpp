// precision (common/precision.h, model/matmul_precision.h): float32 computes the
// products as torch::nn::Linear does (to rounding, on oneDNN); bf16 really runs them in
// bfloat16 (results differ from float32, by no more than bf16 rounding), hands
// float32 results and float32 gradients back, and the guard restores the setting.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/precision.h"
#include "model/gemm.h"
#include "model/graph_batch.h"
#include "model/matmul_precision.h"
#include "model/norm_act.h"
#include "model/predictor.h"
#include "tests/common/test_helpers.h"

namespace nar::model::test {
namespace {

using common::Precision;

#define SKIP_WITHOUT_BF16()                                                     \
    do {                                                                        \
        const std::string why = bf16_unsupported_reason();                      \
        if (!why.empty()) GTEST_SKIP() << "bf16 products unsupported: " << why; \
    } while (0)

// Random graphs of 20..40 nodes with a chain plus a few skip edges; static
// features for latency, none for cells.
GraphBatch random_batch(const ModelConfig& c, int64_t graphs) {
    torch::manual_seed(9);
    std::vector<torch::Tensor> xs, adjs;
    for (int64_t i = 0; i < graphs; ++i) {
        const int64_t n = 20 + 5 * i;
        xs.push_back(torch::rand({n, c.node_dim}));
        auto a = torch::zeros({n, n});
        for (int64_t k = 0; k + 1 < n; ++k) a[k][k + 1] = 1;
        for (int64_t k = 0; k + 3 < n; k += 4) a[k][k + 3] = 1;
        adjs.push_back(a);
    }
    const auto statics = c.static_dim > 0 ? torch::rand({graphs, c.static_dim}) : torch::Tensor();
    return pad_graphs(xs, adjs, statics);
}

// Max |a - b| relative to max |b|.
double rel_diff(const torch::Tensor& a, const torch::Tensor& b) {
    return ((a - b).abs().max() / b.abs().max()).item<double>();
}

TEST(Precision, NamesParseAndUnknownOnesAreListed) {
    EXPECT_EQ(common::parse_precision("float32"), Precision::Float32);
    EXPECT_EQ(common::parse_precision("bf16"), Precision::BF16);
    EXPECT_EQ(common::precision_name(Precision::BF16), "bf16");
    const std::string msg = nar::test::error_of([] { common::parse_precision("half"); });
    EXPECT_NE(msg.find("'half'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("float32, bf16"), std::string::npos) << msg;
}

TEST(Precision, GuardNestsAndRestores) {
    EXPECT_EQ(matmul_precision(), Precision::Float32);
    {
        const PrecisionGuard outer(Precision::BF16);
        EXPECT_EQ(matmul_precision(), Precision::BF16);
        {
            const PrecisionGuard inner(Precision::Float32);
            EXPECT_EQ(matmul_precision(), Precision::Float32);
        }
        EXPECT_EQ(matmul_precision(), Precision::BF16);
    }
    EXPECT_EQ(matmul_precision(), Precision::Float32);
}

// The warning rests on the two measured rates alone (avx512_bf16 without AMX can
// be slower; Zen 4 without AMX was faster), so it is driven here with given rates.
TEST(Precision, Bf16SpeedWarningOnlyWhenBf16RanSlower) {
    const std::string slow = bf16_speed_warning({165.0, 81.0});
    EXPECT_NE(slow.find("precision=bf16"), std::string::npos) << slow;
    EXPECT_NE(slow.find("81 GF/s in bf16 against 165 in float32"), std::string::npos) << slow;
    EXPECT_EQ(bf16_speed_warning({150.0, 680.0}), "");
    EXPECT_EQ(bf16_speed_warning({100.0, 100.0}), "");
    EXPECT_EQ(bf16_speed_warning({0.0, 0.0}), "");
    EXPECT_EQ(bf16_speed_warning({std::nan(""), 10.0}), "");
    EXPECT_EQ(bf16_speed_warning({std::numeric_limits<double>::infinity(), 10.0}), "");
}

TEST(Precision, ProductRatesAreMeasuredInBothPrecisions) {
    SKIP_WITHOUT_BF16();
    torch::manual_seed(7);
    const auto before = torch::rand({4});
    torch::manual_seed(7);
    const ProductRates r = measure_product_rates();
    EXPECT_TRUE(torch::equal(torch::rand({4}), before)) << "the probe moved the global generator";
    // A real 0.54-GFLOP product each: a positive rate below what any few cores reach
    // (float32 peaks near 200 GF/s per core, AMX bf16 near 1,000).
    EXPECT_GT(r.float32_gflops, 0.5);
    EXPECT_LT(r.float32_gflops, 5000.0);
    EXPECT_GT(r.bf16_gflops, 0.5);
    EXPECT_LT(r.bf16_gflops, 50000.0);
    EXPECT_EQ(matmul_precision(), Precision::Float32);
}

TEST(Precision, Float32IsTorchLinear) {
    torch::manual_seed(3);
    const auto x = torch::randn({37, 24}), w = torch::randn({16, 24}), b = torch::randn({16});
    const auto r = torch::randn({16, 24});
    auto out = linear_product(x, w, b);
    auto ref = torch::nn::functional::linear(x, w, b);
    // Through oneDNN (model/gemm.h) the sums are ordered differently: equal to rounding.
    const auto same = [](const torch::Tensor& a, const torch::Tensor& e) {
        return built_with_dnnl() ? torch::allclose(a, e, 1e-5, 1e-5) : torch::equal(a, e);
    };
    EXPECT_TRUE(same(out, ref));
    add_linear_product_(out, x, r);
    ref.addmm_(x, r.t());
    EXPECT_TRUE(same(out, ref));
}

TEST(Precision, Float64IsNeverLowered) {
    SKIP_WITHOUT_BF16();
    torch::manual_seed(3);
    const auto x = torch::randn({9, 8}, torch::kFloat64), w = torch::randn({5, 8}, torch::kFloat64);
    const PrecisionGuard bf16(Precision::BF16);
    EXPECT_TRUE(torch::equal(linear_product(x, w, torch::Tensor()), torch::mm(x, w.t())));
}

TEST(Precision, Bf16ProductsAreBf16WithFloat32ResultsAndGradients) {
    SKIP_WITHOUT_BF16();
    torch::manual_seed(4);
    auto make = [](std::vector<int64_t> s) { return torch::randn(s).requires_grad_(); };
    const auto x = make({64, 96}), w = make({48, 96}), b = make({48}), r = make({48, 96});
    auto run = [&](Precision p) {
        const PrecisionGuard guard(p);
        auto y = linear_product(x, w, b);
        add_linear_product_(y, x, r);
        (y * y).sum().backward();
        std::vector<torch::Tensor> out{y.detach()};
        for (auto t : {x, w, b, r}) {
            out.push_back(t.grad().clone());
            t.mutable_grad().reset();
        }
        return out;
    };
    const auto f32 = run(Precision::Float32);
    const auto bf = run(Precision::BF16);
    for (size_t i = 0; i < f32.size(); ++i) {
        EXPECT_EQ(bf[i].scalar_type(), torch::kFloat32) << i;
        EXPECT_FALSE(torch::equal(bf[i], f32[i])) << i << ": not computed in bf16";
        // Operands rounded to 8 significant bits (and, backward, the products too).
        EXPECT_LT(rel_diff(bf[i], f32[i]), 3e-2) << i;
    }
}

// Debian's oneDNN 2.6.3 AMX kernel died of SIGILL on aᵀ·b with 152×152 output
// and an inner size T ≡ 31 (mod 32), T ≥ 1311 (the first block's qk weight
// gradient on a 2,239-node batch). The padded product runs and is right.
TEST(Precision, Bf16WeightGradientSurvivesOneDnnTails) {
    SKIP_WITHOUT_BF16();
    torch::manual_seed(8);
    for (const int64_t t : {1311, 2239, 2240}) {
        const auto a = torch::randn({t, 152}), b = torch::randn({t, 152});
        const auto ours = weight_grad_product(a.to(torch::kBFloat16), b.to(torch::kBFloat16));
        const auto ref = torch::mm(a.t(), b);
        EXPECT_EQ(ours.sizes(), ref.sizes());
        EXPECT_LT(rel_diff(ours.to(torch::kFloat32), ref), 2e-2) << t;
    }
    // Through the linear layer, as the model runs it.
    const auto x = torch::randn({2239, 152}, torch::requires_grad());
    const auto w = torch::randn({152, 152}, torch::requires_grad());
    const PrecisionGuard bf16(Precision::BF16);
    linear_product(x, w, torch::Tensor()).sum().backward();
    EXPECT_LT(rel_diff(w.grad(), torch::ones({2239, 152}).t().mm(x.detach())), 2e-2);
}

// The pad rows are zero even where the allocator hands back a dirty block
// (a NaN-filled tensor of the same size freed just before), and the rows
// before them are t's own; a batched G×T×w tensor pads each group.
TEST(Precision, ZeroPadRowsZeroesOnlyThePadOnDirtyMemory) {
    torch::manual_seed(3);
    for (const auto type : {torch::kBFloat16, torch::kFloat32}) {
        for (const std::vector<int64_t>& shape :
             {std::vector<int64_t>{1641, 152}, std::vector<int64_t>{8, 1641, 64}}) {
            const auto t = torch::randn(shape).to(type);
            auto padded_shape = shape;
            padded_shape[shape.size() - 2] = 1664;
            for (int i = 0; i < 3; ++i) {
                torch::full(padded_shape, std::numeric_limits<float>::quiet_NaN(),
                            torch::TensorOptions().dtype(type));
                const auto p = zero_pad_rows(t, 32);
                ASSERT_EQ(p.sizes(), torch::IntArrayRef(padded_shape));
                EXPECT_TRUE(torch::equal(p.narrow(-2, 0, 1641), t));
                EXPECT_EQ(p.narrow(-2, 1641, 23).abs().sum().item<double>(), 0.0);
            }
        }
    }
    const auto even = torch::randn({64, 8});
    EXPECT_TRUE(zero_pad_rows(even, 32).is_same(even));
}

// bf16 storage around the fused LayerNorm is exactly float32 math on the
// widened values, rounded once on the way out: the same bits as widening,
// running the float32 kernel and narrowing, forward and backward.
TEST(Precision, NormActBf16StorageIsFloat32MathRoundedOnce) {
    torch::manual_seed(6);
    const auto x_bf = (torch::randn({4, 300, 32}) * 3).to(torch::kBFloat16);
    const auto grad_bf = torch::randn({4, 300, 32}).to(torch::kBFloat16);
    const auto bias0 = torch::randn({4, 32}), g0 = torch::rand({32}) + 0.5,
               b0 = torch::randn({32}) * 0.1;
    for (const auto out : {torch::kBFloat16, torch::kFloat32}) {
        auto run = [&](const torch::Tensor& x0, const torch::Tensor& grad,
                       c10::optional<torch::ScalarType> type) {
            auto x = x0.clone().requires_grad_(true);
            auto bias = bias0.clone().requires_grad_(true);
            auto g = g0.clone().requires_grad_(true), b = b0.clone().requires_grad_(true);
            torch::manual_seed(7);  // the same dropout mask
            const auto y = norm_act_dropout(x, g, b, 1e-5, true, 0.25, true, bias, type);
            y.backward(grad);
            return std::vector<torch::Tensor>{y.detach(), x.grad(), bias.grad(), g.grad(),
                                              b.grad()};
        };
        const auto bf = run(x_bf, grad_bf.to(out), out);
        const auto f32 = run(x_bf.to(torch::kFloat32), grad_bf.to(torch::kFloat32), c10::nullopt);
        EXPECT_EQ(bf[0].scalar_type(), out);
        EXPECT_EQ(bf[1].scalar_type(), torch::kBFloat16);
        EXPECT_TRUE(torch::equal(bf[0], f32[0].to(out)));
        EXPECT_TRUE(torch::equal(bf[1], f32[1].to(torch::kBFloat16)));
        for (size_t i = 2; i < bf.size(); ++i) EXPECT_TRUE(torch::equal(bf[i], f32[i])) << i;
    }
}

TEST(Precision, Bf16PredictorTracksFloat32) {
    SKIP_WITHOUT_BF16();
    for (const std::string preset : {"latency", "accuracy"}) {
        ModelConfig c = ModelConfig::preset(preset);
        c.hidden = 64;
        c.fc_hidden = 64;
        const auto batch = random_batch(c, 4);
        auto run = [&](Precision p) {
            torch::manual_seed(5);
            Predictor model(c);
            model->eval();
            const PrecisionGuard guard(p);
            const auto pred = model->forward(batch);
            pred.sum().backward();
            int64_t grads = 0;
            for (const auto& q : model->parameters()) {
                grads += q.grad().defined() && q.grad().scalar_type() == torch::kFloat32;
            }
            EXPECT_EQ(grads, static_cast<int64_t>(model->parameters().size())) << preset;
            return pred.detach();
        };
        const auto f32 = run(Precision::Float32), bf = run(Precision::BF16);
        EXPECT_EQ(bf.scalar_type(), torch::kFloat32);
        EXPECT_FALSE(torch::equal(bf, f32)) << preset;
        EXPECT_LT(rel_diff(bf, f32), 5e-2) << preset;
    }
}

}  // namespace
}  // namespace nar::model::test
