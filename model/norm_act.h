#pragma once
// LayerNorm, ReLU and dropout in one pass: y = dropout(act(LN(x)·γ + β)) over
// the last dimension. The per-operation grouped FFN (model/grouped_ffn.h) runs
// this on 8×T×256 activations, where LibTorch's layer_norm, its backward and a
// separate dropout cost four full passes each way (~35 ms of a 275 ms latency
// step, bench_train_step --profile). The backward recomputes x̂ and the mask
// from the saved row statistics and seed, so nothing of the output size is
// stored. Off the CPU, or for other dtypes, it is the composite of torch's
// layer_norm and fast_(relu_)dropout, with the same mask.
#include <torch/torch.h>

namespace nar::model {

// With bias (G×w, for x G×T×w), LN's input is x + bias[g] on group g's rows:
// the grouped linears' bias, added here instead of by a baddbmm.
// x may be bf16 with float32 γ, β (the bf16 products' results): the math is
// float32 either way. out_type: y's dtype, γ's unless given (bf16 when y feeds
// a bf16 product).
torch::Tensor norm_act_dropout(const torch::Tensor& x, const torch::Tensor& gamma,
                               const torch::Tensor& beta, double eps, bool relu, double p,
                               bool train, const torch::Tensor& bias = {},
                               c10::optional<torch::ScalarType> out_type = c10::nullopt);

// The composite reference (torch's layer_norm, then fast_(relu_)dropout).
torch::Tensor norm_act_dropout_reference(const torch::Tensor& x, const torch::Tensor& gamma,
                                         const torch::Tensor& beta, double eps, bool relu, double p,
                                         bool train, const torch::Tensor& bias = {},
                                         c10::optional<torch::ScalarType> out_type = c10::nullopt);

}  // namespace nar::model
