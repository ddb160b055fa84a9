#pragma once
// Packing many tensors into one contiguous buffer per dtype, so a backend does
// one collective per step instead of one per parameter.
#include <torch/torch.h>

#include <vector>

namespace nar::runner {

struct FlatBuffer {
    torch::Tensor flat;                  // 1-D, contiguous, on the tensors' device
    std::vector<torch::Tensor> targets;  // where the reduced values go back
};

// The gradients of `params`, one buffer per dtype (normally exactly one). A
// parameter without a gradient gets a zero gradient first, so every rank
// contributes the same layout even if its share of the batch did not touch it.
std::vector<FlatBuffer> flatten_gradients(const std::vector<torch::Tensor>& params);

// The values of `params`, one buffer per dtype.
std::vector<FlatBuffer> flatten_values(const std::vector<torch::Tensor>& params);

// Copies the buffer back into its targets (in place, without autograd).
void unflatten(const FlatBuffer& buf);

}  // namespace nar::runner
