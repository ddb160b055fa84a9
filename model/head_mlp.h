#pragma once
// The 3-layer prediction MLP shared by both heads (model.md §4):
// z = out(Dropout(ReLU(fc2(Dropout(ReLU(fc1(v))))))), ŷ = −log σ(z) = softplus(−z).
#include <torch/torch.h>

#include "model/trace.h"

namespace nar::model {

class HeadMlpImpl : public torch::nn::Module {
  public:
    HeadMlpImpl(int64_t in_dim, int64_t hidden, double dropout);
    torch::Tensor forward(const torch::Tensor& v, Trace* trace = nullptr);  // B×in -> B

    torch::nn::Linear fc1{nullptr}, fc2{nullptr}, out{nullptr};

  private:
    double dropout_;
};
TORCH_MODULE(HeadMlp);

}  // namespace nar::model
