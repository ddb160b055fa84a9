#include "model/losses.h"

#include "common/error.h"

namespace nar::model {

torch::Tensor relative_mse(const torch::Tensor& pred, const torch::Tensor& y) {
    if (pred.sizes() != y.sizes()) throw common::Error("relative_mse: pred and y differ in shape");
    return (pred / y - 1).pow(2).mean();
}

torch::Tensor sr_loss(const torch::Tensor& pred, const torch::Tensor& y,
                      const torch::Tensor& perm) {
    if (pred.sizes() != y.sizes()) throw common::Error("sr_loss: pred and y differ in shape");
    if (perm.dim() != 1 || perm.size(0) != pred.size(0)) {
        throw common::Error("sr_loss: perm must have one entry per batch element");
    }
    const auto p = perm.to(pred.device(), torch::kInt64);
    return ((pred - pred.index_select(0, p)) - (y - y.index_select(0, p))).abs().mean();
}

torch::Tensor ac_loss(const torch::Tensor& pred_aug, const torch::Tensor& pred_orig) {
    if (pred_aug.sizes() != pred_orig.sizes()) {
        throw common::Error("ac_loss: pred_aug and pred_orig differ in shape");
    }
    return (pred_aug - pred_orig).abs().mean();
}

}  // namespace nar::model
