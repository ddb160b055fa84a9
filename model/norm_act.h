#pragma once
// LayerNorm, ReLU and dropout in one pass: y = dropout(act(LN(x)·γ + β)) over
// the last dimension. The grouped FFN runs this on 8×T×256 activations, where
// LibTorch's layer_norm, its backward and a separate dropout cost four full
// passes each way (~35 ms of a 275 ms latency step, bench_train_step
// --profile). The backward recomputes x̂ and the mask from the saved row
// statistics and seed, so nothing of the output size is stored. Off the CPU,
// or for other dtypes, it is the composite of torch's layer_norm and
// fast_(relu_)dropout, with the same mask.
#include <torch/torch.h>

namespace nar::model {

// With bias (G×w, for x G×T×w), LN's input is x + bias[g] on group g's rows:
// the grouped linears' bias, added here instead of by a baddbmm.
torch::Tensor norm_act_dropout(const torch::Tensor& x, const torch::Tensor& gamma,
                               const torch::Tensor& beta, double eps, bool relu, double p,
                               bool train, const torch::Tensor& bias = {});

// The composite reference (torch's layer_norm, then fast_(relu_)dropout).
torch::Tensor norm_act_dropout_reference(const torch::Tensor& x, const torch::Tensor& gamma,
                                         const torch::Tensor& beta, double eps, bool relu, double p,
                                         bool train, const torch::Tensor& bias = {});

// dropout(relu(v / max(‖v‖₂, eps))) over rows of a T×D tensor: the graph
// attention's output normalisation and the block's activation in one pass
// (F::normalize alone is five ops forward and eight backward).
torch::Tensor l2norm_relu_dropout(const torch::Tensor& v, double eps, double p, bool train);

torch::Tensor l2norm_relu_dropout_reference(const torch::Tensor& v, double eps, double p,
                                            bool train);

}  // namespace nar::model
