#pragma once
// The block's layer-scale residual h + γ·f (γ over the last dimension): the
// values of torch::addcmul(h, γ, f), with a backward that forms f's gradient
// g·γ and γ's row products g·f in one pass over g. addcmul's own backward
// first multiplies f by its unit `value` (a full pass for nothing) and then
// takes each product in a pass of its own. γ's gradient is the same row sum
// (LibTorch's), so every gradient has addcmul's bits. Elsewhere (not CPU
// float32/64, other shapes, NAR_COMPOSITE=residual) it is addcmul.
#include <torch/torch.h>

namespace nar::model {

torch::Tensor layer_scale_add(const torch::Tensor& h, const torch::Tensor& gamma,
                              const torch::Tensor& f);

}  // namespace nar::model
