#pragma once
// Applies `precision` (common/precision.h) at the model's large matrix
// products: bfloat16 operands, results back in float32, as autocast does, but
// only at the products (LibTorch 1.13's CPU autocast also hands bf16 to
// layer_norm, which refuses it). On CPUs with AMX,
// LibTorch runs bf16 products through oneDNN at several times the float32 rate.
// Thread-local, like autocast: the trainer sets it for its thread.
#include <torch/torch.h>

#include <string>

#include "common/precision.h"

namespace nar::model {

using Precision = common::Precision;

// Why this machine cannot run bf16 products at speed ("" when it can): LibTorch
// without oneDNN, or a CPU without avx512_bf16 (oneDNN would emulate it slowly).
std::string bf16_unsupported_reason();
// A common::Error "<what>: <reason>" when bf16 products cannot run here.
void require_bf16_support(const std::string& what);

// One product of the step's usual size (1024×512·512×512), best of 3 after a
// warm-up, in float32 (gemm_out) and in bf16 (bf16 operands, as the model's
// products take them). avx512_bf16 alone does not make bf16 faster: with AMX
// not exposed (an Emerald Rapids VM, 12-04) it ran at half the float32 rate.
struct ProductRates {
    double float32_gflops = 0, bf16_gflops = 0;
};
ProductRates measure_product_rates();
// The job log's warning when bf16 products ran slower than float32 here; ""
// when they did not, or when a rate is not a positive number.
std::string bf16_speed_warning(const ProductRates& r);

Precision matmul_precision();

class PrecisionGuard {
  public:
    explicit PrecisionGuard(Precision p);
    ~PrecisionGuard();
    PrecisionGuard(const PrecisionGuard&) = delete;
    PrecisionGuard& operator=(const PrecisionGuard&) = delete;

  private:
    Precision saved_;
};

// t as a contiguous product operand: bf16 when that is the precision and t is float32.
torch::Tensor product_operand(const torch::Tensor& t);
// The dtype product_operand gives a tensor of like's dtype.
torch::ScalarType product_dtype(const torch::Tensor& like);

// aᵀ·b over the rows of a and b (T×m, T×n, or batched G×T×·): a weight
// gradient, whose inner size is the batch's node count. For bf16 operands the
// rows are zero-padded to a multiple of 32: Debian's oneDNN 2.6.3 AMX kernel
// dies of SIGILL on some inner-size tails (152×152 outputs with T ≡ 31 mod 32,
// T ≥ 1311, found by a scan), and a tail-free product has no tail to get wrong.
torch::Tensor weight_grad_product(const torch::Tensor& a, const torch::Tensor& b);
// t with zero rows appended on its second-last dimension up to a multiple of
// `multiple` (t itself when there is none to add).
torch::Tensor zero_pad_rows(const torch::Tensor& t, int64_t multiple);

// x·wᵀ + b (b may be undefined): torch::nn::Linear's product in the current precision.
// Float32 products of float32 operands go through gemm_out (oneDNN where built with it).
torch::Tensor linear_product(const torch::Tensor& x, const torch::Tensor& w,
                             const torch::Tensor& b);
// x·wᵀ + b in x's own dtype whatever the precision: the heads' small linears, which
// stay float32 under --precision bf16 but take the same float32 path (gemm_out).
torch::Tensor linear_at_own_precision(const torch::Tensor& x, const torch::Tensor& w,
                                      const torch::Tensor& b);
// The same for a torch::nn::Linear holder (its weight and bias).
torch::Tensor linear_at_own_precision(const torch::nn::Linear& l, const torch::Tensor& x);
// out += x·wᵀ in place (root(X) into agg's output).
torch::Tensor& add_linear_product_(torch::Tensor& out, const torch::Tensor& x,
                                   const torch::Tensor& w);

}  // namespace nar::model
