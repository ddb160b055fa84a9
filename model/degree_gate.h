#pragma once
// The type-aware degree gate of graph attention (model.md §1): x_t ·
// sigmoid(W·deg_t + b). A batch has few distinct degrees, so the gate is
// computed once per distinct degree (U×D) and each row is scaled by its
// degree's gate in one pass; the backward sums g·x per degree in one pass.
// The composite (a K=1 matmul, sigmoid and a product over all T×D, each with
// its backward) costs ~6 ms of a latency step. Off the CPU, or for other
// dtypes, it is the composite.
#include <torch/torch.h>

namespace nar::model {

// deg: Linear(1, D); degree: T×1.
torch::Tensor degree_gate(const torch::Tensor& x, const torch::Tensor& degree,
                          torch::nn::Linear& deg);

torch::Tensor degree_gate_reference(const torch::Tensor& x, const torch::Tensor& degree,
                                    torch::nn::Linear& deg);

}  // namespace nar::model
