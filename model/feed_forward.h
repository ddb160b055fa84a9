#pragma once
// Feed-forward network of a block (model.md §2):
// Dropout(Lin_down(Dropout(ReLU(Lin_up(x))))), Lin = GroupLinear (grouped, the
// paper's GFFN) or a plain Linear (ablation ffn=dense).
#include <torch/torch.h>

#include "model/group_linear.h"

namespace nar::model {

class FeedForwardImpl : public torch::nn::Module {
  public:
    FeedForwardImpl(int64_t dim, int64_t ratio, int64_t groups, bool grouped, double dropout);
    torch::Tensor forward(const torch::Tensor& x);  // T×D -> T×D

    GroupLinear up_g{nullptr}, down_g{nullptr};
    torch::nn::Linear up_d{nullptr}, down_d{nullptr};

  private:
    double dropout_;
};
TORCH_MODULE(FeedForward);

}  // namespace nar::model
