#pragma once
// Trace: intermediate values of one forward pass, for golden tests and
// debugging. Filled only when a Trace* is passed to Predictor::forward.
#include <torch/torch.h>

#include <vector>

namespace nar::model {

struct Trace {
    // Per layer, padded B×N×D (zero rows for padding nodes).
    std::vector<torch::Tensor> attn_out;   // attention output after L2 norm, before ReLU
    std::vector<torch::Tensor> ffn_out;    // FFN(LayerNorm(h)) before γ (transformer only)
    std::vector<torch::Tensor> block_out;  // next layer's input
    // Heads, B×…
    torch::Tensor readout;        // latency: Σ over nodes of the last block
    torch::Tensor static_proj;    // latency: ReLU(Linear(static))
    torch::Tensor layer_means;    // accuracy: [h_1 … h_L], B×L·D
    torch::Tensor layer_weights;  // accuracy: sigmoid fusion weights, B×L
    torch::Tensor fused;          // accuracy: Σ_l w_l h_l, B×D
    torch::Tensor fc_1;           // after Linear, before ReLU
    torch::Tensor fc_2;
    torch::Tensor logit;  // B×1, pred = softplus(-logit)
};

}  // namespace nar::model
