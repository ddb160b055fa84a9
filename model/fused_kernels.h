#pragma once
// Which fused CPU kernels the model uses (all, by default). NAR_COMPOSITE in
// the environment names those to replace by their LibTorch composites
// ("norm,l2,edge,gate" or "all"): for A/B benchmarks and for bisecting a
// numerical difference, without a rebuild.
#include <torch/torch.h>

#include <string>

namespace nar::model {

enum class Kernel { Norm, L2, Edge, Gate };

bool fused_enabled(Kernel k);

// Kernel k is enabled and x is a non-empty float32/float64 CPU tensor: what
// every fused kernel needs (each checks its own shapes on top).
bool fused_applies(Kernel k, const torch::Tensor& x);

}  // namespace nar::model
