#pragma once
// Training losses (model.md §5). pred and y are [B] or [B×1] (same shape).
#include <torch/torch.h>

namespace nar::model {

// mean((pred / y − 1)²)
torch::Tensor relative_mse(const torch::Tensor& pred, const torch::Tensor& y);

// Sequence-ranking loss mean|(p − p[perm]) − (y − y[perm])|; perm is a
// permutation of 0..B−1 (int64) drawn by the caller, who owns the RNG.
torch::Tensor sr_loss(const torch::Tensor& pred, const torch::Tensor& y, const torch::Tensor& perm);

// Architecture-consistency loss mean|pred_aug − pred_orig|.
torch::Tensor ac_loss(const torch::Tensor& pred_aug, const torch::Tensor& pred_orig);

}  // namespace nar::model
