// The LayerNorm row kernels' backward gives the same values whether it reads
// the ReLU-and-dropout gate from the forward's saved output (or, without ReLU,
// its stored keeps) or recomputes it from the statistics and the dropout
// mask's hash.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model/norm_rows.h"

namespace nar::model::test {
namespace {

using kernels::Act;
using kernels::NormInput;
using kernels::RowBlock;

template <typename T>
T* ptr(const torch::Tensor& t) {
    return t.data_ptr<T>();
}

// groups × rows × w pre-norm values with a per-group bias, normed with act;
// the backward from gy with and without the saved output y.
template <typename T>
struct Rows {
    int64_t groups, rows, w;
    torch::Tensor x, bias, gamma, beta, mean, rstd, y, gy;
    Act act;

    Rows(int64_t g, int64_t r, int64_t width, const Act& a, torch::ScalarType dtype)
        : groups(g), rows(r), w(width), act(a) {
        const auto o = torch::TensorOptions().dtype(dtype);
        x = torch::randn({g * r, width}, o);
        bias = torch::randn({g, width}, o) * 0.3;
        gamma = 1 + torch::randn({width}, o) * 0.3;
        beta = torch::randn({width}, o) * 0.3;
        mean = torch::empty({g * r}, o);
        rstd = torch::empty({g * r}, o);
        y = torch::empty({g * r, width}, o);
        gy = torch::randn({g * r, width}, o);
    }
    NormInput<T, T> in() const { return {{ptr<T>(x), w}, ptr<T>(bias), rows, w}; }
    void forward() {
        kernels::norm_rows_forward(in(), ptr<T>(gamma), ptr<T>(beta), RowBlock<T>{ptr<T>(y), w},
                                   ptr<T>(mean), ptr<T>(rstd), 0, groups * rows, T(1e-5), act);
    }
    // gx and the γ, β, bias partials, with the saved output as the gate or not.
    std::pair<torch::Tensor, torch::Tensor> backward(bool saved) const {
        auto gx = torch::empty_like(x);
        auto part = torch::zeros({3, w}, x.options());
        const RowBlock<const T> out = saved ? RowBlock<const T>{ptr<T>(y), w} : RowBlock<const T>{};
        kernels::norm_rows_backward(
            RowBlock<const T>{ptr<T>(gy), w}, in(), ptr<T>(gamma), ptr<T>(beta), ptr<T>(mean),
            ptr<T>(rstd), RowBlock<T>{ptr<T>(gx), w}, ptr<T>(part), 0, groups * rows, act, out);
        return {gx, part};
    }
};

template <typename T>
void expect_same_gradients(const Act& act, torch::ScalarType dtype) {
    torch::manual_seed(3);
    Rows<T> r(4, 37, 64, act, dtype);
    r.forward();
    const std::pair<torch::Tensor, torch::Tensor> a = r.backward(false), b = r.backward(true);
    const torch::Tensor &gx0 = a.first, &part0 = a.second, &gx1 = b.first, &part1 = b.second;
    const torch::Tensor y = r.y;
    EXPECT_TRUE(torch::equal(gx0, gx1)) << "max diff " << (gx0 - gx1).abs().max().item<double>();
    EXPECT_TRUE(torch::equal(part0, part1))
        << "max diff " << (part0 - part1).abs().max().item<double>();
    // The gate did something: some outputs were zeroed and their gradients too.
    EXPECT_GT((y == 0).sum().item<int64_t>(), 0);
}

TEST(NormRowsBackward, SavedOutputGateGivesTheRecomputedValues) {
    for (const double p : {0.0, 0.1, 0.5}) {
        const Act act = kernels::act_of(true, p, true, 0x1234abcdULL);
        expect_same_gradients<float>(act, torch::kFloat32);
        expect_same_gradients<double>(act, torch::kFloat64);
    }
}

// Without ReLU a zero output can be a kept element (a constant row with β = 0
// norms to zeros), whose gradient is not zero: the saved output must not gate it.
TEST(NormRowsBackward, SavedOutputIsNoGateWithoutRelu) {
    torch::manual_seed(4);
    const Act act = kernels::act_of(false, 0.25, true, 99);
    Rows<float> r(2, 16, 32, act, torch::kFloat32);
    r.beta.zero_();
    r.bias.zero_();
    r.x[5].fill_(2.0);  // a constant row
    r.forward();
    ASSERT_TRUE(torch::equal(r.y[5], torch::zeros({32})));
    const auto [gx0, part0] = r.backward(false);
    const auto [gx1, part1] = r.backward(true);
    EXPECT_TRUE(torch::equal(gx0, gx1));
    EXPECT_TRUE(torch::equal(part0, part1));
    // The constant row's kept elements pass a gradient on to its input.
    EXPECT_GT(gx0[5].abs().sum().item<double>(), 0);
}

// Without ReLU the forward can store its keeps (Act::kept) for the backward:
// the same bits as the mask, the same gradients as hashing it again, and the
// forward's output is unchanged by storing them.
TEST(NormRowsBackward, StoredKeepsGiveTheRecomputedValues) {
    for (const double p : {0.1, 0.5}) {
        torch::manual_seed(5);
        const Act plain = kernels::act_of(false, p, true, 0x5eedULL);
        Rows<float> a(3, 41, 64, plain, torch::kFloat32);
        a.forward();
        const auto [gx0, part0] = a.backward(false);

        Rows<float> b = a;  // the same inputs (tensors shared, y rewritten below)
        b.y = torch::empty_like(a.y);
        auto keeps = torch::full({3 * 41, 64}, 7, torch::kUInt8);
        b.act.kept = keeps.data_ptr<uint8_t>();
        b.forward();
        EXPECT_TRUE(torch::equal(a.y, b.y));
        const auto flat = keeps.view(-1);
        int64_t dropped = 0;
        for (int64_t i = 0; i < flat.numel(); ++i) {
            const bool keep = plain.mask.keep(i);
            dropped += !keep;
            ASSERT_EQ(flat[i].item<int>(), keep ? 1 : 0) << "element " << i;
        }
        EXPECT_GT(dropped, 0);
        const auto [gx1, part1] = b.backward(false);
        EXPECT_TRUE(torch::equal(gx0, gx1))
            << "max diff " << (gx0 - gx1).abs().max().item<double>();
        EXPECT_TRUE(torch::equal(part0, part1));
        // The stored keeps are what the backward reads: clearing them zeroes its input gradient.
        keeps.zero_();
        const auto [gx2, part2] = b.backward(false);
        EXPECT_EQ(gx2.abs().max().item<float>(), 0.0f);
    }
}

}  // namespace
}  // namespace nar::model::test
