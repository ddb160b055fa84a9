// to_bf16 / to_float32 (model/bf16_cast.h): bit-identical to Tensor::to on
// ordinary values, ties, subnormals and infinities (NaN stays NaN), for contiguous and
// transposed inputs, on one and two threads; gradients convert the other way.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "model/bf16_cast.h"

namespace nar::model::test {
namespace {

torch::Tensor bits(const torch::Tensor& bf) { return bf.view(torch::kInt16); }

// Random values plus the awkward ones: exact ties (both parities), the largest
// values that round up to infinity, subnormals, ±0, ±inf and NaN.
torch::Tensor awkward(int64_t n) {
    torch::manual_seed(11);
    auto x = torch::randn({n}) * torch::exp(torch::randn({n}) * 8);
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<uint32_t> special = {0x3f808000u, 0x3f818000u, 0x7f7fffffu, 0x7f7f8000u,
                                           0x00000001u, 0x807fffffu, 0x80000000u, 0x00000000u,
                                           0x7fc00000u, 0xffc00001u, 0x7f800001u};
    auto* p = x.data_ptr<float>();
    for (size_t i = 0; i < special.size(); ++i) std::memcpy(p + i, &special[i], 4);
    p[special.size()] = inf;
    p[special.size() + 1] = -inf;
    return x;
}

TEST(Bf16Cast, BitIdenticalToTensorTo) {
    for (int threads : {1, 2}) {
        at::set_num_threads(threads);
        const auto x = awkward(100003);
        const auto ref = x.to(torch::kBFloat16);
        const auto ours = to_bf16(x);
        EXPECT_EQ(ours.scalar_type(), torch::kBFloat16);
        // NaN stays NaN (c10::BFloat16's 0x7fc0; LibTorch's vector path writes 0xffff).
        const auto nan = torch::isnan(x);
        EXPECT_TRUE(torch::isnan(ours.masked_select(nan)).all().item<bool>());
        EXPECT_TRUE(torch::equal(bits(ours).masked_select(~nan), bits(ref).masked_select(~nan)))
            << threads << " thread(s)";
        EXPECT_TRUE(torch::equal(to_float32(ref).view(torch::kInt32),
                                 ref.to(torch::kFloat32).view(torch::kInt32)));
    }
    at::set_num_threads(1);
}

TEST(Bf16Cast, TransposedAndSlicedInputsAreGathered) {
    const auto base = awkward(8 * 300 * 64).view({300, 8, 64});
    for (const auto& v : {base.transpose(0, 1), base.select(1, 3), base.slice(2, 0, 32)}) {
        const auto ours = to_bf16(v);
        EXPECT_TRUE(ours.is_contiguous());
        const auto ref = v.to(torch::kBFloat16).contiguous();
        const auto keep = ~torch::isnan(ref);
        EXPECT_TRUE(torch::equal(bits(ours).masked_select(keep), bits(ref).masked_select(keep)));
    }
}

TEST(Bf16Cast, GradientsConvertBack) {
    torch::manual_seed(12);
    const auto x = torch::randn({40, 24}, torch::requires_grad());
    const auto w = torch::randn({40, 24});
    (to_float32(to_bf16(x)) * w).sum().backward();
    // d/dx of w·float(bf16(x)) is w rounded through bf16 on the way back.
    EXPECT_TRUE(torch::equal(x.grad(), w.to(torch::kBFloat16).to(torch::kFloat32)));
    EXPECT_EQ(x.grad().scalar_type(), torch::kFloat32);
}

TEST(Bf16Cast, WrongDtypeIsAnError) {
    EXPECT_THROW(to_bf16(torch::zeros({3}, torch::kFloat64)), std::exception);
    EXPECT_THROW(to_float32(torch::zeros({3})), std::exception);
}

}  // namespace
}  // namespace nar::model::test
