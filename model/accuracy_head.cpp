#include "model/accuracy_head.h"

#include "model/init.h"
#include "model/matmul_precision.h"

namespace nar::model {

AccuracyHeadImpl::AccuracyHeadImpl(int64_t dim, int64_t fc_hidden, int64_t layers, double dropout) {
    const int64_t ld = layers * dim;
    fusion_hidden = register_module("fusion_hidden", torch::nn::Linear(ld, ld / 4));
    fusion_out = register_module("fusion_out", torch::nn::Linear(ld / 4, layers));
    reference_linear_init(fusion_hidden);
    reference_linear_init(fusion_out);
    mlp = register_module("mlp", HeadMlp(dim, fc_hidden, dropout));
}

torch::Tensor AccuracyHeadImpl::forward(const std::vector<torch::Tensor>& layer_means,
                                        Trace* trace) {
    const auto c = torch::cat(layer_means, 1);  // B×LD
    const auto hidden = torch::relu(linear_at_own_precision(fusion_hidden, c));
    const auto w = torch::sigmoid(linear_at_own_precision(fusion_out, hidden));  // B×L
    const auto g = (torch::stack(layer_means, 1) * w.unsqueeze(2)).sum(1);       // B×D
    if (trace) {
        trace->layer_means = c.detach();
        trace->layer_weights = w.detach();
        trace->fused = g.detach();
    }
    return mlp(g, trace);
}

}  // namespace nar::model
