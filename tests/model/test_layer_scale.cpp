// The layer-scale residual h + γ·f has torch::addcmul's bits forward and in
// all three gradients, on one thread and on two.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model/layer_scale.h"

namespace nar::model::test {
namespace {

struct Grads {
    torch::Tensor out, gh, gg, gf;
};

Grads run(bool fused, const torch::Tensor& h0, const torch::Tensor& g0, const torch::Tensor& f0,
          const torch::Tensor& up) {
    auto h = h0.clone().requires_grad_(), gamma = g0.clone().requires_grad_(),
         f = f0.clone().requires_grad_();
    auto out = fused ? layer_scale_add(h, gamma, f) : torch::addcmul(h, gamma, f);
    // A second use of f, as in the block: its gradient accumulates.
    (out * up).sum().backward();
    return {out.detach(), h.grad(), gamma.grad(), f.grad()};
}

void expect_same(const Grads& a, const Grads& b, const std::string& what) {
    EXPECT_TRUE(torch::equal(a.out, b.out)) << what << " output";
    EXPECT_TRUE(torch::equal(a.gh, b.gh)) << what << " h";
    EXPECT_TRUE(torch::equal(a.gg, b.gg))
        << what << " gamma, max diff " << (a.gg - b.gg).abs().max().item<double>();
    EXPECT_TRUE(torch::equal(a.gf, b.gf)) << what << " f";
}

TEST(LayerScaleAdd, HasAddcmulsBitsForwardAndBackward) {
    const int before = at::get_num_threads();
    for (const auto dtype : {torch::kFloat32, torch::kFloat64}) {
        for (const int64_t rows : {1, 7, 1641}) {
            for (const int threads : {1, 2}) {
                at::set_num_threads(threads);
                torch::manual_seed(rows);
                const auto o = torch::TensorOptions().dtype(dtype);
                const auto h = torch::randn({rows, 96}, o), f = torch::randn({rows, 96}, o);
                const auto gamma = torch::randn({96}, o) * 1e-2, up = torch::randn({rows, 96}, o);
                const std::string what = std::string(c10::toString(dtype)) + ", " +
                                         std::to_string(rows) + " rows, " +
                                         std::to_string(threads) + " threads:";
                const auto a = run(true, h, gamma, f, up), b = run(false, h, gamma, f, up);
                expect_same(a, b, what);
                // Not vacuous: the gradients carry the upstream values.
                EXPECT_GT(a.gg.abs().sum().item<double>(), 0) << what;
            }
        }
    }
    at::set_num_threads(before);
}

TEST(LayerScaleAdd, OtherShapesAreAddcmul) {
    torch::manual_seed(1);
    // A 3-D input and a full-shape γ are not the fused kernel's: the composite's values.
    const auto h = torch::randn({2, 5, 8}), f = torch::randn({2, 5, 8}), g = torch::randn({8});
    EXPECT_TRUE(torch::equal(layer_scale_add(h, g, f), torch::addcmul(h, g, f)));
    const auto h2 = torch::randn({5, 8}), f2 = torch::randn({5, 8}), g2 = torch::randn({5, 8});
    auto gg = g2.clone().requires_grad_();
    layer_scale_add(h2, gg, f2).sum().backward();
    EXPECT_TRUE(torch::allclose(gg.grad(), f2));
}

}  // namespace
}  // namespace nar::model::test
