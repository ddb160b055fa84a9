#pragma once
// The counter-based dropout mask shared by fast_dropout and the fused kernels:
// element i of a call is kept when the hash of (seed, i) clears a threshold, so
// a backward pass regenerates the forward's mask from the seed alone.
#include <cmath>
#include <cstdint>

namespace nar::model {

struct DropoutMask {
    uint64_t seed = 0;
    uint32_t threshold = 0;  // an element is dropped when its 32-bit draw < threshold

    // Two rounds of murmur3's 32-bit finaliser over (index, seed): 32-bit
    // multiplies only, so the mask loops vectorise (16 lanes with AVX-512F),
    // unlike a 64-bit hash (AVX-512F has no 64-bit multiply). Tensors here are
    // far below 2^32 elements; higher index bits still reach the hash.
    static uint32_t fmix(uint32_t h) {
        h ^= h >> 16;
        h *= 0x85ebca6bu;
        h ^= h >> 13;
        h *= 0xc2b2ae35u;
        return h ^ (h >> 16);
    }
    // The mask over elements [base, base + n) with 32-bit arithmetic only:
    // Span::keep(k) is keep(base + k) (while the span does not cross 2^32).
    struct Span {
        uint32_t base, lo, hi, threshold;
        bool keep(uint32_t k) const { return fmix(fmix((base + k) ^ lo) ^ hi) >= threshold; }
    };
    Span span(int64_t base) const {
        const auto u = static_cast<uint64_t>(base);
        return {static_cast<uint32_t>(u),
                static_cast<uint32_t>(seed) + static_cast<uint32_t>(u >> 32) * 0x9e3779b9u,
                static_cast<uint32_t>(seed >> 32), threshold};
    }
    bool keep(int64_t i) const { return span(i).keep(0); }

    // The scale that keeps E[out] = x for the threshold actually used.
    double scale() const { return 1.0 / (1.0 - std::ldexp(static_cast<double>(threshold), -32)); }

    static DropoutMask make(uint64_t seed, double p) {
        return {seed, static_cast<uint32_t>(std::llround(std::ldexp(p, 32)))};
    }
};

// One 64-bit draw from LibTorch's default CPU generator (so torch::manual_seed fixes masks).
uint64_t draw_dropout_seed();

}  // namespace nar::model
