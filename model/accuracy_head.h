#pragma once
// Accuracy head (model.md §4): per-layer mean readouts h_1..h_L fused by learned
// sigmoid weights w = σ(fusion_out(ReLU(fusion_hidden([h_1;…;h_L])))),
// g = Σ_l w_l h_l, then HeadMlp(D).
#include <torch/torch.h>

#include <vector>

#include "model/head_mlp.h"
#include "model/trace.h"

namespace nar::model {

class AccuracyHeadImpl : public torch::nn::Module {
  public:
    AccuracyHeadImpl(int64_t dim, int64_t fc_hidden, int64_t layers, double dropout);
    torch::Tensor forward(const std::vector<torch::Tensor>& layer_means, Trace* trace = nullptr);

    torch::nn::Linear fusion_hidden{nullptr}, fusion_out{nullptr};
    HeadMlp mlp{nullptr};
};
TORCH_MODULE(AccuracyHead);

}  // namespace nar::model
