#include "data/pe_trans.h"

#include <cmath>

namespace nar::data {

float pe_trans_freq(int j, int k) {
    // Python: 1 / (10000 ** (j / k)) in double, then numpy rounds it to the
    // float32 array's type.
    return static_cast<float>(1.0 / std::pow(10000.0, static_cast<double>(j) / k));
}

namespace {
constexpr int kMaxK = 64;

// Frequencies for every k <= kMaxK, computed once (pow is the costly part).
struct FreqTable {
    float f[kMaxK + 1][kMaxK];
    FreqTable() {
        for (int k = 1; k <= kMaxK; ++k)
            for (int j = 0; j < k; ++j) f[k][j] = pe_trans_freq(j, k);
    }
};

inline float trans_arg(float x, int j, int k) {
    static const FreqTable table;
    // Both operands are float, so the product is rounded to float as numpy does.
    const float f = k <= kMaxK ? table.f[k][j] : pe_trans_freq(j, k);
    return x * f;
}
}  // namespace

void pe_trans(float x, int k, float* out) {
    for (int j = 0; j < k; ++j) {
        const float a = trans_arg(x, j, k);
        out[2 * j] = static_cast<float>(std::sin(static_cast<double>(a)));
        out[2 * j + 1] = static_cast<float>(std::cos(static_cast<double>(a)));
    }
}

void pe_trans_vector(const float* v, size_t n, int k, float* out) {
    for (int j = 0; j < k; ++j) {
        for (size_t i = 0; i < n; ++i) {
            const float a = trans_arg(v[i], j, k);
            out[(2 * j) * n + i] = static_cast<float>(std::sin(static_cast<double>(a)));
            out[(2 * j + 1) * n + i] = static_cast<float>(std::cos(static_cast<double>(a)));
        }
    }
}

}  // namespace nar::data
