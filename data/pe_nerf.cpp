#include "data/pe_nerf.h"

#include <cmath>

#include "common/error.h"

namespace nar::data {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Frequencies are cached per k: the tokenizer encodes millions of numbers.
const std::vector<float>& cached_frequencies(int k) {
    static const std::vector<float> k32 = pe_nerf_frequencies(32);
    if (k == 32) return k32;
    thread_local std::vector<float> other;
    other = pe_nerf_frequencies(k);
    return other;
}

float nerf_argument(float x, float f) {
    const float pi = static_cast<float>(kPi);
    float a = x * pi;  // float32 product, as numpy 1.x keeps float32 arrays float32
    return a * f;
}

}  // namespace

std::vector<float> pe_nerf_frequencies(int k) {
    if (k < 1)
        throw common::Error("PE_nerf needs at least one frequency, got " + std::to_string(k));
    const double start = 1.0, stop = std::ldexp(1.0, k - 1);
    std::vector<float> f(k);
    if (k == 1) {
        f[0] = static_cast<float>(start);
        return f;
    }
    const double step = (stop - start) / (k - 1);
    for (int j = 0; j < k; ++j) f[j] = static_cast<float>(j * step + start);
    f[k - 1] = static_cast<float>(stop);
    return f;
}

void pe_nerf(float x, int k, float* out) {
    const std::vector<float>& f = cached_frequencies(k);
    for (int j = 0; j < k; ++j) {
        double a = nerf_argument(x, f[j]);
        out[2 * j] = static_cast<float>(std::sin(a));
        out[2 * j + 1] = static_cast<float>(std::cos(a));
    }
}

std::vector<float> pe_nerf(float x, int k) {
    std::vector<float> out(2 * static_cast<size_t>(k));
    pe_nerf(x, k, out.data());
    return out;
}

std::vector<float> pe_nerf_vector(const std::vector<float>& v, int k) {
    const std::vector<float> f = pe_nerf_frequencies(k);
    const size_t m = v.size();
    std::vector<float> out(2 * m * k);
    for (int j = 0; j < k; ++j)
        for (size_t i = 0; i < m; ++i) {
            double a = nerf_argument(v[i], f[j]);
            out[2 * j * m + i] = static_cast<float>(std::sin(a));
            out[(2 * j + 1) * m + i] = static_cast<float>(std::cos(a));
        }
    return out;
}

}  // namespace nar::data
