#pragma once
// The activation tail the fused row kernels share (norm_act.cpp,
// l2_norm_act.cpp): optional ReLU, then dropout whose mask is regenerated from
// a seed, so a backward pass needs nothing of the output's size (where the
// output is saved anyway, its backward reads the gate from it instead).
#include <cstdint>

#include "model/dropout_mask.h"

namespace nar::model::kernels {

constexpr int64_t kRowGrain = 64;

struct Act {
    bool relu = false;
    bool drop = false;
    DropoutMask mask;
    double scale = 1.0;
};

// Row values v[0..w) at flat offset base: the kept ones scaled, the dropped ones zeroed.
template <typename T>
inline void apply_dropout(const Act& a, T* v, int64_t base, int64_t w) {
    if (!a.drop) return;
    const auto m = a.mask.span(base);
    const T scale = static_cast<T>(a.scale);
    for (int64_t k = 0; k < w; ++k) v[k] *= m.keep(static_cast<uint32_t>(k)) ? scale : T(0);
}

inline Act act_of(bool relu, double p, bool train, uint64_t seed) {
    Act a;
    a.relu = relu;
    a.drop = train && p > 0;
    if (a.drop) {
        a.mask = DropoutMask::make(seed, p);
        a.scale = a.mask.scale();
    }
    return a;
}

}  // namespace nar::model::kernels
