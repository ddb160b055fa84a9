#include "model/latency_head.h"

#include <string>

#include "common/error.h"
#include "model/dropout.h"
#include "model/init.h"
#include "model/matmul_precision.h"

namespace nar::model {

LatencyHeadImpl::LatencyHeadImpl(int64_t dim, int64_t fc_hidden, int64_t static_dim, double dropout)
    : static_dim_(static_dim), dropout_(dropout) {
    if (static_dim > 0) {
        static_proj = register_module("static_proj", torch::nn::Linear(static_dim, dim));
        reference_linear_init(static_proj);
    }
    mlp = register_module("mlp", HeadMlp(static_dim > 0 ? 2 * dim : dim, fc_hidden, dropout));
}

torch::Tensor LatencyHeadImpl::forward(const torch::Tensor& readout,
                                       const torch::Tensor& static_feat, Trace* trace) {
    if (trace) trace->readout = readout.detach();
    if (!static_proj) return mlp(readout, trace);
    if (!static_feat.defined() || static_feat.dim() != 2 ||
        static_feat.size(0) != readout.size(0) || static_feat.size(1) != static_dim_) {
        throw common::Error("latency head: static features must be B×" +
                            std::to_string(static_dim_));
    }
    const auto s = fast_relu_dropout(linear_at_own_precision(static_proj, static_feat), dropout_,
                                     is_training());
    if (trace) trace->static_proj = s.detach();
    return mlp(torch::cat({readout, s}, 1), trace);
}

}  // namespace nar::model
