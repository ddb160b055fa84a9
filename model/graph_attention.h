#pragma once
// Graph-aided attention layer (model.md §1): type-aware degree gate, one shared
// sigmoid projection as query and key, scores restricted to neighbours (local)
// or over all pairs (global), row-sum normalisation without softmax, then
// agg(P·X) + root(X) and row-wise L2 normalisation.
#include <torch/torch.h>

#include "model/packed_graph.h"

namespace nar::model {

constexpr double kNormEps = 1e-12;  // F::normalize's eps, as the reference

class GraphAttentionImpl : public torch::nn::Module {
  public:
    GraphAttentionImpl(int64_t in_dim, int64_t out_dim, bool global, bool ta_enhance);
    // x: T×in (packed real nodes) -> T×out
    torch::Tensor forward(const torch::Tensor& x, const PackedGraph& g);
    // agg(P·X) + root(X) before the row-wise L2 normalisation (which the block
    // fuses with its ReLU and dropout).
    torch::Tensor forward_unnormalized(const torch::Tensor& x, const PackedGraph& g);

    torch::nn::Linear qk{nullptr}, agg{nullptr}, root{nullptr}, deg{nullptr};

  private:
    bool global_;
};
TORCH_MODULE(GraphAttention);

}  // namespace nar::model
