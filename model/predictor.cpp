#include "model/predictor.h"

#include <string>

#include "common/error.h"
#include "model/dropout.h"

namespace nar::model {

PredictorImpl::PredictorImpl(const ModelConfig& config) : config_(config) {
    config_.validate();
    const auto& c = config_;
    if (c.structure == Structure::Transformer) {
        blocks = register_module("blocks", torch::nn::ModuleList());
        for (int l = 0; l < c.layers; ++l) {
            BlockOptions o;
            o.in_dim = l == 0 ? c.node_dim : c.hidden;
            o.dim = c.hidden;
            o.ffn_ratio = c.ffn_ratio;
            o.groups = c.groups;
            o.global = c.attention == Attention::Global;
            o.ta_enhance = c.ta_enhance;
            o.grouped = c.ffn == Ffn::Grouped;
            o.dropout = c.dropout;
            o.gamma_init = c.gamma_init;
            blocks->push_back(Block(o));
        }
    } else {
        sage = register_module("sage", torch::nn::ModuleList());
        for (int l = 0; l < c.layers; ++l) {
            sage->push_back(SageLayer(l == 0 ? c.node_dim : c.hidden, c.hidden));
        }
    }
    if (c.task == Task::Latency) {
        latency_head =
            register_module("head", LatencyHead(c.hidden, c.fc_hidden, c.static_dim, c.dropout));
    } else {
        accuracy_head =
            register_module("head", AccuracyHead(c.hidden, c.fc_hidden, c.layers, c.dropout));
    }
}

torch::Tensor PredictorImpl::forward(const GraphBatch& batch, Trace* trace) {
    if (batch.x.defined() && (batch.x.dim() != 3 || batch.x.size(2) != config_.node_dim)) {
        throw common::Error("Predictor: x must be B×N×" + std::to_string(config_.node_dim));
    }
    const PackedGraph g = PackedGraph::build(batch);
    auto x = g.unpad(batch.x);
    const bool accuracy = config_.task == Task::Accuracy;
    std::vector<torch::Tensor> means;
    if (blocks) {
        for (const auto& m : *blocks) {
            x = m->as<BlockImpl>()->forward(x, g, trace);
            if (accuracy) means.push_back(g.mean(x));
        }
    } else {
        for (const auto& m : *sage) {
            const auto a = m->as<SageLayerImpl>()->forward(x, g);
            x = fast_relu_dropout(a, config_.dropout, is_training());
            if (trace) {
                trace->attn_out.push_back(g.pad(a.detach()));
                trace->block_out.push_back(g.pad(x.detach()));
            }
            if (accuracy) means.push_back(g.mean(x));
        }
    }
    const auto out =
        accuracy ? accuracy_head(means, trace) : latency_head(g.sum(x), batch.static_feat, trace);
    if (!is_training()) check_predictions(out, config_.task);
    return out;
}

void check_predictions(const torch::Tensor& pred, Task task) {
    torch::NoGradGuard no_grad;
    if (!torch::isfinite(pred).all().item<bool>())
        throw common::Error(
            "Predictor: a prediction is not finite (NaN or inf): the model's weights or the "
            "input features are corrupt or out of range");
    if (task == Task::Latency && !(pred > 0).all().item<bool>())
        throw common::Error("Predictor: a latency prediction is not positive (" +
                            std::to_string(pred.min().item<double>()) +
                            "): the model's weights or the input features are out of range");
}

}  // namespace nar::model
