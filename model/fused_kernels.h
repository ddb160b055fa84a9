#pragma once
// Which fused CPU kernels the model uses (all, by default). NAR_COMPOSITE in
// the environment names those to replace by their LibTorch composites
// ("norm,l2,edge,gate,group,ffn,residual,gemm" or "all"; gemm is the
// oneDNN matrix product of model/gemm.h): for A/B benchmarks and for bisecting a
// numerical difference, without a rebuild.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace nar::model {

enum class Kernel { Norm, L2, Edge, Gate, Group, Ffn, Residual, Gemm };

bool fused_enabled(Kernel k);

// The kernels a NAR_COMPOSITE value turns off; an unknown name is a common::Error.
std::vector<Kernel> parse_composite(const std::string& value);

// Checks the environment's NAR_COMPOSITE (common::Error if it names an unknown kernel),
// so a typo stops a command at its start, not inside a training step.
void check_composite_env();

// Kernel k is enabled and x is a non-empty float32/float64 CPU tensor: what
// every fused kernel needs (each checks its own shapes on top).
bool fused_applies(Kernel k, const torch::Tensor& x);

}  // namespace nar::model
