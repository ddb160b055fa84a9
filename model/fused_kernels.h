#pragma once
// Which fused CPU kernels the model uses (all, by default). NAR_COMPOSITE in
// the environment names those to replace by their LibTorch composites
// ("norm,l2,edge,gate" or "all"): for A/B benchmarks and for bisecting a
// numerical difference, without a rebuild.
#include <string>

namespace nar::model {

enum class Kernel { Norm, L2, Edge, Gate };

bool fused_enabled(Kernel k);

}  // namespace nar::model
