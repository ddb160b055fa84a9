#pragma once
// Latency head (model.md §4): [Σ_i X_i ; ReLU(Dropout(static_proj(s)))] -> HeadMlp.
// With static_dim = 0 the static branch is absent and HeadMlp takes D.
#include <torch/torch.h>

#include "model/head_mlp.h"
#include "model/trace.h"

namespace nar::model {

class LatencyHeadImpl : public torch::nn::Module {
  public:
    LatencyHeadImpl(int64_t dim, int64_t fc_hidden, int64_t static_dim, double dropout);
    // readout B×D, static_feat B×S -> B
    torch::Tensor forward(const torch::Tensor& readout, const torch::Tensor& static_feat,
                          Trace* trace = nullptr);

    torch::nn::Linear static_proj{nullptr};
    HeadMlp mlp{nullptr};

  private:
    int64_t static_dim_;
    double dropout_;
};
TORCH_MODULE(LatencyHead);

}  // namespace nar::model
