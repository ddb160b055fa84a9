#pragma once
// GraphSAGE layer of the GNN baseline (model.md §6, ablation row 1):
// Y = agg(mean_{j∈N(i)} X_j) + root(X_i), row-wise L2 normalised. An isolated
// node's neighbour mean is 0 (as a scatter-mean gives).
#include <torch/torch.h>

#include "model/packed_graph.h"

namespace nar::model {

class SageLayerImpl : public torch::nn::Module {
  public:
    SageLayerImpl(int64_t in_dim, int64_t out_dim);
    torch::Tensor forward(const torch::Tensor& x, const PackedGraph& g);  // T×in -> T×out

    torch::nn::Linear agg{nullptr}, root{nullptr};
};
TORCH_MODULE(SageLayer);

}  // namespace nar::model
