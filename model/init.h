#pragma once
// Parameter initialisation shared by several modules (model.md §4).
#include <torch/torch.h>

namespace nar::model {

// The reference re-draws every head/static/fusion nn.Linear with
// weight ~ U(±1/√in) and bias ~ U(±1/√out) (it uses size(-1) of each tensor).
void reference_linear_init(torch::nn::Linear& linear);

}  // namespace nar::model
