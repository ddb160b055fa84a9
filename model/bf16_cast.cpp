#include "model/bf16_cast.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>

#include "common/error.h"
#include "model/bf16_bits.h"

namespace nar::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr int64_t kGrain = 1 << 14;

__attribute__((target_clones("avx512f", "avx2", "default"))) void narrow_row(const float* in,
                                                                             uint16_t* out,
                                                                             int64_t n) {
    kernels::store_row(in, out, n);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void widen_row(const uint16_t* in,
                                                                            float* out, int64_t n) {
    kernels::load_row(in, out, n);
}

torch::Tensor narrow(const torch::Tensor& x_in) {
    // Up to three dimensions with a contiguous last one go in one pass; the
    // rest are made contiguous first.
    const bool strided = x_in.dim() >= 2 && x_in.dim() <= 3 && x_in.stride(-1) == 1;
    const auto x = strided || x_in.is_contiguous() ? x_in : x_in.contiguous();
    auto y = torch::empty(x.sizes(), x.options().dtype(torch::kBFloat16));
    const float* src = x.data_ptr<float>();
    auto* dst = reinterpret_cast<uint16_t*>(y.data_ptr<at::BFloat16>());
    if (x.is_contiguous() || x.dim() < 2) {
        at::parallel_for(0, x.numel(), kGrain,
                         [&](int64_t b, int64_t e) { narrow_row(src + b, dst + b, e - b); });
        return y;
    }
    const int64_t w = x.size(-1), rows = x.numel() / w;
    const int64_t inner = x.dim() == 3 ? x.size(1) : rows;
    const int64_t s0 = x.dim() == 3 ? x.stride(0) : 0, s1 = x.stride(-2);
    at::parallel_for(0, rows, std::max<int64_t>(1, kGrain / w), [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
            narrow_row(src + (r / inner) * s0 + (r % inner) * s1, dst + r * w, w);
        }
    });
    return y;
}

torch::Tensor widen(const torch::Tensor& y_in) {
    const auto y = y_in.contiguous();
    auto x = torch::empty(y.sizes(), y.options().dtype(torch::kFloat32));
    const auto* src = reinterpret_cast<const uint16_t*>(y.data_ptr<at::BFloat16>());
    float* dst = x.data_ptr<float>();
    at::parallel_for(0, y.numel(), kGrain,
                     [&](int64_t b, int64_t e) { widen_row(src + b, dst + b, e - b); });
    return x;
}

void check(const torch::Tensor& t, torch::Dtype want, const char* what) {
    if (!t.is_cpu() || t.scalar_type() != want) {
        throw common::Error(std::string(what) + ": expected a CPU " + c10::toString(want) +
                            " tensor, got " + c10::toString(t.scalar_type()));
    }
}

struct ToBf16Fn : torch::autograd::Function<ToBf16Fn> {
    static torch::Tensor forward(AutogradContext*, const torch::Tensor& x) { return narrow(x); }
    static variable_list backward(AutogradContext*, variable_list g) { return {widen(g[0])}; }
};

struct ToFloat32Fn : torch::autograd::Function<ToFloat32Fn> {
    static torch::Tensor forward(AutogradContext*, const torch::Tensor& y) { return widen(y); }
    static variable_list backward(AutogradContext*, variable_list g) { return {narrow(g[0])}; }
};

}  // namespace

torch::Tensor to_bf16(const torch::Tensor& x) {
    if (!x.is_cpu()) return x.to(torch::kBFloat16, false, false, torch::MemoryFormat::Contiguous);
    check(x, torch::kFloat32, "to_bf16");
    return ToBf16Fn::apply(x);
}

torch::Tensor to_float32(const torch::Tensor& y) {
    if (!y.is_cpu()) return y.to(torch::kFloat32, false, false, torch::MemoryFormat::Contiguous);
    check(y, torch::kBFloat16, "to_float32");
    return ToFloat32Fn::apply(y);
}

}  // namespace nar::model
