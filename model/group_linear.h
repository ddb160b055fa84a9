#pragma once
// GroupLinear (model.md §2): g independent Linears on contiguous feature chunks,
// each followed by a LayerNorm over the chunk (one affine pair shared by all
// chunks). Shapes as the reference: weight [g, in/g, out/g], bias [g, 1, out/g].
#include <torch/torch.h>

namespace nar::model {

class GroupLinearImpl : public torch::nn::Module {
  public:
    GroupLinearImpl(int64_t in_dim, int64_t out_dim, int64_t groups);
    // x: T×in -> T×out
    torch::Tensor forward(const torch::Tensor& x);
    // Group-major form: g×T×(in/g) -> g×T×(out/g). Chained GroupLinears with the
    // same g stay in this layout, which saves two transposing copies.
    torch::Tensor forward_grouped(const torch::Tensor& xg);
    // forward_grouped followed by ReLU (relu) and dropout p, fused with the LayerNorm.
    // feeds_product: the result is another product's input, so it comes back in
    // that product's dtype (bf16 under bf16 products, model/matmul_precision.h).
    torch::Tensor forward_grouped_act(const torch::Tensor& xg, bool relu, double p, bool train,
                                      bool feeds_product);

    int64_t groups() const { return groups_; }

    torch::Tensor weight, bias;
    torch::nn::LayerNorm norm{nullptr};

  private:
    int64_t groups_;
};
TORCH_MODULE(GroupLinear);

}  // namespace nar::model
