#pragma once
// The model's own matrix products: C = A·B + beta·C on 2-D CPU matrices.
// float32 goes through oneDNN's sgemm when nar is built with it and the
// "gemm" kernel is on (NAR_COMPOSITE=gemm turns it off): on this project's
// AVX-512 machine it ran the step's products 2-37% faster than OpenBLAS with
// cold operands and 5-39% with warm ones (README, "What changed for speed").
// Everything else goes through LibTorch (at::mm_out / addmm_).
#include <torch/torch.h>

#include <string>

namespace nar::model {

// c = a·b + beta·c. oneDNN takes a, b as they lie when each has unit stride in
// one dimension (transposed views, column blocks) and c when it is row-major;
// other layouts go to LibTorch. Shapes are checked (common::Error).
void gemm_out(torch::Tensor& c, const torch::Tensor& a, const torch::Tensor& b, float beta = 0);

// a·b into a new row-major tensor.
torch::Tensor gemm(const torch::Tensor& a, const torch::Tensor& b);

// Whether gemm_out(c, a, b) takes the oneDNN path for a float32 a (build and switch).
bool gemm_uses_dnnl(const torch::Tensor& a);

// Whether this nar was built with oneDNN's sgemm.
bool built_with_dnnl();

// What runs the float32 products: "oneDNN <version>" or "BLAS" (LibTorch's);
// logged at a job's start and stored in its result file.
std::string gemm_library();

}  // namespace nar::model
