#pragma once
// bfloat16 as raw bits, for loops that must vectorise: c10::BFloat16's
// rounding (to nearest even; NaN becomes the quiet NaN 0x7fc0). Shared by the
// casts (bf16_cast.cpp) and the kernels that read or write bf16 rows (norm_act.cpp).
// Always inlined, to vectorise at the width of the target_clones function that calls them.
#include <cstdint>
#include <cstring>

namespace nar::model::kernels {

[[gnu::always_inline]] inline uint16_t bf16_round(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;
    return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

[[gnu::always_inline]] inline float bf16_widen(uint16_t b) {
    const uint32_t u = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

[[gnu::always_inline]] inline void load_row(const uint16_t* in, float* out, int64_t n) {
    for (int64_t k = 0; k < n; ++k) out[k] = bf16_widen(in[k]);
}

[[gnu::always_inline]] inline void store_row(const float* in, uint16_t* out, int64_t n) {
    for (int64_t k = 0; k < n; ++k) out[k] = bf16_round(in[k]);
}

}  // namespace nar::model::kernels
