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
    // Where set (dropout without ReLU), the forward stores each element's keep
    // (1) or drop (0) here, at the mask's flat index, and the backward reads it:
    // such an output can be a kept zero, so it cannot serve as the gate.
    uint8_t* kept = nullptr;
};

// Row values v[0..w) at flat offset base: the kept ones scaled, the dropped ones zeroed.
template <typename T>
inline void apply_dropout(const Act& a, T* v, int64_t base, int64_t w) {
    if (!a.drop) return;
    const auto m = a.mask.span(base);
    const T scale = static_cast<T>(a.scale);
    for (int64_t k = 0; k < w; ++k) v[k] *= m.keep(static_cast<uint32_t>(k)) ? scale : T(0);
}

// apply_dropout that also stores each element's keep in a.kept[base + k].
template <typename T>
inline void apply_dropout_storing(const Act& a, T* v, int64_t base, int64_t w) {
    const auto m = a.mask.span(base);
    const T scale = static_cast<T>(a.scale);
    uint8_t* kept = a.kept + base;
    for (int64_t k = 0; k < w; ++k) {
        const bool keep = m.keep(static_cast<uint32_t>(k));
        kept[k] = keep;
        v[k] *= keep ? scale : T(0);
    }
}

// The backward's ReLU-and-dropout gate read from the forward's saved output y
// (ReLU on): y ≠ 0 exactly where ReLU passed and dropout kept, so the mask's
// hash is not drawn again. gate(g, y) is g as dropout scaled it there, else 0.
// A select of constants, then a product: this vectorises inside a row loop (a
// conditional product became a branch per element).
template <typename T>
struct SavedGate {
    T kept;
    explicit SavedGate(const Act& a) : kept(a.drop ? static_cast<T>(a.scale) : T(1)) {}
    T operator()(T g, T y) const {
        const T f = y != T(0) ? kept : T(0);
        return g * f;
    }
    // The same from a stored keep byte (apply_dropout_storing).
    T stored(T g, uint8_t keep) const {
        const T f = keep ? kept : T(0);
        return g * f;
    }
};

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
