#include "runner/adam_kernel.h"

#include <cmath>

namespace nar::runner {

// With errno semantics GCC kept sqrt scalar, which made this pass compute-bound
// (30 of an 85 ms accuracy step); this file builds with -fno-math-errno. Vector
// sqrt and division round exactly as scalar ones; -ffp-contract=off (no FMA)
// makes the vector body and the scalar tail round alike. (The scalar loop
// before was contracted to FMAs, so trajectories differ from it in the last bit.)
__attribute__((target_clones("avx512f", "avx2", "default"))) void adam_range(
    float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v,
    int64_t n, AdamKernelStep s) {
    const bool decay = s.weight_decay != 0;
    for (int64_t i = 0; i < n; ++i) {
        const float grad = decay ? g[i] + p[i] * s.weight_decay : g[i];
        const float mi = m[i] * s.beta1 + grad * s.one_minus_beta1;
        const float vi = v[i] * s.beta2 + grad * grad * s.one_minus_beta2;
        m[i] = mi;
        v[i] = vi;
        const float denom = std::sqrt(vi) / s.sqrt_bc2 + s.eps;
        p[i] = p[i] + s.neg_step_size * (mi / denom);
    }
}

}  // namespace nar::runner
