#pragma once
// The grouped linears' product, x[g] · w[g] for every group g, spread over the
// threads by group. LibTorch's CPU bmm runs the groups one after another, each
// a small GEMM (K or N = 64 in the latency model) that OpenBLAS splits over its
// threads poorly: 1.2-1.5x on 2 threads against 2x for 512-wide products. Here
// each thread multiplies whole groups with a one-thread BLAS call instead.
// bf16 operands take it on one thread too, for its padded weight gradient
// (model/matmul_precision.h, weight_grad_product). Off the CPU, otherwise on
// one thread, or with NAR_COMPOSITE=group it is torch::bmm.
#include <torch/torch.h>

namespace nar::model {

// x: G×M×K, w: G×K×N -> G×M×N (as torch::bmm), differentiable in both.
torch::Tensor group_matmul(const torch::Tensor& x, const torch::Tensor& w);

}  // namespace nar::model
