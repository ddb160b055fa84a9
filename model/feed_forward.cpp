#include "model/feed_forward.h"

#include "model/dropout.h"
#include "model/grouped_ffn.h"
#include "model/matmul_precision.h"

namespace nar::model {

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t ratio, int64_t groups, bool grouped,
                                 double dropout)
    : dropout_(dropout) {
    // Both variants register as "up"/"down" so state-dict names do not depend on the switch.
    if (grouped) {
        up_g = register_module("up", GroupLinear(dim, dim * ratio, groups));
        down_g = register_module("down", GroupLinear(dim * ratio, dim, groups));
    } else {
        up_d = register_module("up", torch::nn::Linear(dim, dim * ratio));
        down_d = register_module("down", torch::nn::Linear(dim * ratio, dim));
    }
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
    const bool train = is_training();
    if (up_d) {
        auto h = fast_relu_dropout(linear_product(x, up_d->weight, up_d->bias), dropout_, train);
        return fast_dropout(linear_product(h, down_d->weight, down_d->bias), dropout_, train);
    }
    return grouped_ffn(x, *up_g, *down_g, dropout_, train);
}

}  // namespace nar::model
