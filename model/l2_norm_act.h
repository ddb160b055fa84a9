#pragma once
// The fused L2 normalisation of the graph attention's output (CPU float32/64;
// elsewhere the composite reference, with the same dropout mask).
#include <torch/torch.h>

namespace nar::model {

// dropout(relu(v / max(‖v‖₂, eps))) over rows of a T×D tensor: the graph
// attention's output normalisation and the block's activation in one pass
// (F::normalize alone is five ops forward and eight backward).
torch::Tensor l2norm_relu_dropout(const torch::Tensor& v, double eps, double p, bool train);

torch::Tensor l2norm_relu_dropout_reference(const torch::Tensor& v, double eps, double p,
                                            bool train);

}  // namespace nar::model
