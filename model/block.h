#pragma once
// One NAR-Former V2 block (model.md §3):
//   H  = Dropout(ReLU(GraphAttn(X, A)))
//   X' = H + γ ⊙ FFN(LayerNorm(H))
#include <torch/torch.h>

#include "model/feed_forward.h"
#include "model/graph_attention.h"
#include "model/packed_graph.h"
#include "model/trace.h"

namespace nar::model {

struct BlockOptions {
    int64_t in_dim = 0, dim = 0, ffn_ratio = 4, groups = 8;
    bool global = false, ta_enhance = true, grouped = true;
    double dropout = 0.05, gamma_init = 1e-4;
};

class BlockImpl : public torch::nn::Module {
  public:
    explicit BlockImpl(const BlockOptions& o);
    torch::Tensor forward(const torch::Tensor& x, const PackedGraph& g, Trace* trace = nullptr);

    GraphAttention attn{nullptr};
    torch::nn::LayerNorm norm{nullptr};
    FeedForward ffn{nullptr};
    torch::Tensor gamma;

  private:
    double dropout_;
};
TORCH_MODULE(Block);

}  // namespace nar::model
