#pragma once
// Reductions for the fused CPU kernels. Sixteen independent partial sums let
// the compiler vectorise without -ffast-math (a single accumulator is a serial
// chain of dependent adds). Inline, so each target_clones caller gets its own
// vector width.
#include <cstdint>

namespace nar::model::kernels {

template <typename T>
inline T lane_sum(const T* a, int64_t n) {
    T acc[16] = {};
    int64_t k = 0;
    for (; k + 16 <= n; k += 16)
        for (int l = 0; l < 16; ++l) acc[l] += a[k + l];
    T s = 0;
    for (; k < n; ++k) s += a[k];
    for (int l = 0; l < 16; ++l) s += acc[l];
    return s;
}

template <typename T>
inline T lane_dot(const T* a, const T* b, int64_t n) {
    T acc[16] = {};
    int64_t k = 0;
    for (; k + 16 <= n; k += 16)
        for (int l = 0; l < 16; ++l) acc[l] += a[k + l] * b[k + l];
    T s = 0;
    for (; k < n; ++k) s += a[k] * b[k];
    for (int l = 0; l < 16; ++l) s += acc[l];
    return s;
}

// Σ (a_k - c)²
template <typename T>
inline T lane_sq_dev(const T* a, T c, int64_t n) {
    T acc[16] = {};
    int64_t k = 0;
    for (; k + 16 <= n; k += 16)
        for (int l = 0; l < 16; ++l) acc[l] += (a[k + l] - c) * (a[k + l] - c);
    T s = 0;
    for (; k < n; ++k) s += (a[k] - c) * (a[k] - c);
    for (int l = 0; l < 16; ++l) s += acc[l];
    return s;
}

// y += a·x
template <typename T>
inline void axpy(T a, const T* x, T* y, int64_t n) {
    for (int64_t k = 0; k < n; ++k) y[k] += a * x[k];
}

}  // namespace nar::model::kernels
