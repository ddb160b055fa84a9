#include "model/head_mlp.h"

#include "model/dropout.h"
#include "model/init.h"
#include "model/matmul_precision.h"

namespace nar::model {

HeadMlpImpl::HeadMlpImpl(int64_t in_dim, int64_t hidden, double dropout) : dropout_(dropout) {
    fc1 = register_module("fc1", torch::nn::Linear(in_dim, hidden));
    fc2 = register_module("fc2", torch::nn::Linear(hidden, hidden));
    out = register_module("out", torch::nn::Linear(hidden, 1));
    reference_linear_init(fc1);
    reference_linear_init(fc2);
    reference_linear_init(out);
}

torch::Tensor HeadMlpImpl::forward(const torch::Tensor& v, Trace* trace) {
    const bool train = is_training();
    const auto a1 = linear_at_own_precision(fc1, v);
    const auto a2 = linear_at_own_precision(fc2, fast_relu_dropout(a1, dropout_, train));
    const auto z = linear_at_own_precision(out, fast_relu_dropout(a2, dropout_, train));
    if (trace) {
        trace->fc_1 = a1.detach();
        trace->fc_2 = a2.detach();
        trace->logit = z.detach();
    }
    return -torch::log_sigmoid(z).squeeze(1);
}

}  // namespace nar::model
