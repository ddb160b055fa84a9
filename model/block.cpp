#include "model/block.h"

#include "model/dropout.h"
#include "model/l2_norm_act.h"
#include "model/layer_scale.h"
#include "model/norm_act.h"

namespace nar::model {

BlockImpl::BlockImpl(const BlockOptions& o) : dropout_(o.dropout) {
    attn = register_module("attn", GraphAttention(o.in_dim, o.dim, o.global, o.ta_enhance));
    norm = register_module("norm",
                           torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dim}).eps(1e-5)));
    ffn = register_module("ffn", FeedForward(o.dim, o.ffn_ratio, o.groups, o.grouped, o.dropout));
    gamma = register_parameter("gamma", torch::full({o.dim}, o.gamma_init));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, const PackedGraph& g, Trace* trace) {
    torch::Tensor a, h;
    if (trace) {  // keep the normalised attention output
        a = attn(x, g);
        h = fast_relu_dropout(a, dropout_, is_training());
    } else {
        h = l2norm_relu_dropout(attn->forward_unnormalized(x, g), kNormEps, dropout_,
                                is_training());
    }
    const auto f =
        ffn(norm_act_dropout(h, norm->weight, norm->bias, norm->options.eps(), false, 0.0, false));
    auto out = layer_scale_add(h, gamma, f);
    if (trace) {
        trace->attn_out.push_back(g.pad(a.detach()));
        trace->ffn_out.push_back(g.pad(f.detach()));
        trace->block_out.push_back(g.pad(out.detach()));
    }
    return out;
}

}  // namespace nar::model
