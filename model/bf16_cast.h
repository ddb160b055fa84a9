#pragma once
// float32 <-> bfloat16 conversions for the bf16 products (model/matmul_precision.h),
// differentiable and bit-identical to Tensor::to (round to nearest even) on
// every value but NaN, which becomes the quiet NaN 0x7fc0. LibTorch 1.13 converts one element at a
// time on CPU, which cost a bf16 latency step a third of its time; these loops vectorise.
#include <torch/torch.h>

namespace nar::model {

// float32 -> contiguous bf16 (any strides in; a transposed view is gathered
// in the same pass). Gradient: bf16 -> float32, exact.
torch::Tensor to_bf16(const torch::Tensor& x);

// bf16 -> contiguous float32. Gradient: float32 -> bf16, rounded as to_bf16.
torch::Tensor to_float32(const torch::Tensor& y);

}  // namespace nar::model
