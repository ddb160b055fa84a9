#include "model/norm_act.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/error.h"
#include "model/bf16_bits.h"
#include "model/dropout.h"
#include "model/dropout_mask.h"
#include "model/fused_kernels.h"
#include "model/row_act.h"
#include "model/row_kernels.h"

namespace nar::model {

namespace {

using kernels::Act;
using kernels::act_of;
using kernels::apply_dropout;
using kernels::kRowGrain;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Row r is x_r + bias[r / rows_per_group] when there is a bias (the grouped
// linears' bias, added here instead of by a per-group baddbmm loop). X is how x
// is stored: T itself, or bf16 bits (uint16_t) widened to T = float.
template <typename T, typename X>
struct Rows {
    const X* x;
    const T* bias;  // G×w or nullptr
    int64_t rows_per_group;
    int64_t w;
    // Row r's values: x's row itself, or (x + bias) in T written to tmp.
    const T* row(int64_t r, T* tmp) const {
        const X* xr = x + r * w;
        const T* br = bias ? bias + (r / rows_per_group) * w : nullptr;
        if constexpr (std::is_same_v<X, T>) {
            if (!br) return xr;
            for (int64_t k = 0; k < w; ++k) tmp[k] = xr[k] + br[k];
        } else {
            kernels::load_row(xr, tmp, w);
            if (br) {
                for (int64_t k = 0; k < w; ++k) tmp[k] += br[k];
            }
        }
        return tmp;
    }
};

// Where row r of a Y-typed tensor is computed: in place when Y is T, else in
// buf, stored (rounded to bf16) by put().
template <typename T, typename Y>
struct Out {
    Y* base;
    int64_t w;
    T* at(int64_t r, T* buf) const {
        if constexpr (std::is_same_v<Y, T>) {
            return base + r * w;
        } else {
            return buf;
        }
    }
    void put(int64_t r, const T* v) const {
        if constexpr (!std::is_same_v<Y, T>) kernels::store_row(v, base + r * w, w);
    }
};

// A Y-typed row as T: itself, or widened into buf.
template <typename T, typename Y>
const T* in_row(const Y* p, int64_t r, int64_t w, T* buf) {
    if constexpr (std::is_same_v<Y, T>) {
        return p + r * w;
    } else {
        kernels::load_row(p + r * w, buf, w);
        return buf;
    }
}

// tmp: 2·w values of T.
template <typename T, typename X, typename Y>
__attribute__((target_clones("avx512f", "avx2", "default"))) void forward_rows(
    Rows<T, X> in, const T* gamma, const T* beta, Out<T, Y> y, T* mean, T* rstd, T* tmp,
    int64_t begin, int64_t end, T eps, Act a) {
    const int64_t w = in.w;
    for (int64_t r = begin; r < end; ++r) {
        const T* xr = in.row(r, tmp);
        T* yr = y.at(r, tmp + w);
        const T mu = kernels::lane_sum(xr, w) / static_cast<T>(w);
        const T rs = T(1) / std::sqrt(kernels::lane_sq_dev(xr, mu, w) / static_cast<T>(w) + eps);
        mean[r] = mu;
        rstd[r] = rs;
        for (int64_t k = 0; k < w; ++k) {
            T z = (xr[k] - mu) * rs * gamma[k] + beta[k];
            if (a.relu && !(z > 0)) z = 0;
            yr[k] = z;
        }
        apply_dropout(a, yr, r * w, w);
        y.put(r, yr);
    }
}

// gx for rows [begin, end); this chunk's γ, β and bias gradient partials go to
// part[0..w), [w..2w), [2w..3w). buf: 5·w values of T.
template <typename T, typename X, typename Y>
__attribute__((target_clones("avx512f", "avx2", "default"))) void backward_rows(
    const Y* g, Rows<T, X> in, const T* gamma, const T* beta, const T* mean, const T* rstd,
    Out<T, X> gx, T* part, T* buf, int64_t begin, int64_t end, Act a) {
    const int64_t w = in.w;
    T* gz = buf;
    T* xh = buf + w;
    T* tmp = buf + 2 * w;
    T *gg = part, *gb = part + w, *gbias = part + 2 * w;
    for (int64_t r = begin; r < end; ++r) {
        const T* xr = in.row(r, tmp);
        const T* gr = in_row(g, r, w, buf + 3 * w);
        const T mu = mean[r], rs = rstd[r];
        for (int64_t k = 0; k < w; ++k) {
            xh[k] = (xr[k] - mu) * rs;
            T d = gr[k];
            if (a.relu && !(xh[k] * gamma[k] + beta[k] > 0)) d = 0;
            gz[k] = d;
        }
        apply_dropout(a, gz, r * w, w);
        for (int64_t k = 0; k < w; ++k) {
            gg[k] += gz[k] * xh[k];
            gb[k] += gz[k];
            gz[k] *= gamma[k];  // now ∂L/∂x̂
        }
        const T m1 = kernels::lane_sum(gz, w) / static_cast<T>(w);
        const T m2 = kernels::lane_dot(gz, xh, w) / static_cast<T>(w);
        T* gxr = gx.at(r, buf + 4 * w);
        for (int64_t k = 0; k < w; ++k) gxr[k] = rs * (gz[k] - m1 - xh[k] * m2);
        if (in.bias) {
            for (int64_t k = 0; k < w; ++k) gbias[k] += gxr[k];
        }
        gx.put(r, gxr);
    }
}

// Backward chunks: fixed by the shape (not the thread count, so sums are
// reproducible), never spanning two bias groups.
struct Chunks {
    int64_t groups, rows_per_group, per_group, per;
    Chunks(int64_t rows, int64_t g) : groups(g), rows_per_group(rows / g) {
        per_group = std::max<int64_t>(1, (rows_per_group + 255) / 256);
        per = (rows_per_group + per_group - 1) / per_group;
    }
    int64_t count() const { return groups * per_group; }
    std::pair<int64_t, int64_t> range(int64_t c) const {
        const int64_t start = (c / per_group) * rows_per_group;
        const int64_t b = start + (c % per_group) * per;
        return {b, std::min(start + rows_per_group, b + per)};
    }
};

// Storage types of x and y: (T, T) for float32/64; bf16 bits x with float
// math and a float or bf16 y.
template <typename F>
void dispatch(torch::ScalarType x, torch::ScalarType y, const F& f) {
    if (x == torch::kBFloat16) {
        if (y == torch::kBFloat16) {
            f(float{}, uint16_t{}, uint16_t{});
        } else {
            f(float{}, uint16_t{}, float{});
        }
    } else if (x == torch::kFloat64) {
        f(double{}, double{}, double{});
    } else {
        f(float{}, float{}, float{});
    }
}

template <typename X>
X* ptr(const torch::Tensor& t) {
    return reinterpret_cast<X*>(t.data_ptr());
}

struct NormActFn : torch::autograd::Function<NormActFn> {
    // bias: G×w (x's rows split into G equal groups) or 0 elements; y_type: y's dtype
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x_in,
                                 const torch::Tensor& gamma, const torch::Tensor& beta,
                                 const torch::Tensor& bias, double eps, bool relu, double p,
                                 bool train, int64_t y_type) {
        const auto x = x_in.contiguous();
        const int64_t w = x.size(-1), rows = x.numel() / w;
        const bool has_bias = bias.numel() > 0;
        const int64_t groups = has_bias ? bias.size(0) : 1;
        const uint64_t seed = train && p > 0 ? draw_dropout_seed() : 0;
        const Act a = act_of(relu, p, train, seed);
        const auto yt = static_cast<torch::ScalarType>(y_type);
        auto y = torch::empty(x.sizes(), x.options().dtype(yt));
        auto mean = torch::empty({rows}, gamma.options());
        auto rstd = torch::empty({rows}, gamma.options());
        dispatch(x.scalar_type(), yt, [&](auto t, auto xs, auto ys) {
            using T = decltype(t);
            using X = decltype(xs);
            using Y = decltype(ys);
            const Rows<T, X> in{ptr<X>(x), has_bias ? ptr<T>(bias) : nullptr, rows / groups, w};
            at::parallel_for(0, rows, kRowGrain, [&](int64_t b, int64_t e) {
                std::vector<T> tmp(static_cast<size_t>(2 * w));
                forward_rows(in, ptr<T>(gamma), ptr<T>(beta), Out<T, Y>{ptr<Y>(y), w}, ptr<T>(mean),
                             ptr<T>(rstd), tmp.data(), b, e, static_cast<T>(eps), a);
            });
        });
        ctx->save_for_backward({x, gamma, beta, mean, rstd});
        if (has_bias) ctx->saved_data["bias"] = bias;
        ctx->saved_data["seed"] = static_cast<int64_t>(seed);
        ctx->saved_data["relu"] = relu;
        ctx->saved_data["p"] = p;
        ctx->saved_data["train"] = train;
        ctx->saved_data["y_type"] = y_type;
        return y;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &x = saved[0], &gamma = saved[1], &beta = saved[2], &mean = saved[3],
                   &rstd = saved[4];
        const bool has_bias = ctx->saved_data.count("bias") > 0;
        const auto bias = has_bias ? ctx->saved_data["bias"].toTensor() : torch::Tensor();
        const Act a = act_of(ctx->saved_data["relu"].toBool(), ctx->saved_data["p"].toDouble(),
                             ctx->saved_data["train"].toBool(),
                             static_cast<uint64_t>(ctx->saved_data["seed"].toInt()));
        const auto yt = static_cast<torch::ScalarType>(ctx->saved_data["y_type"].toInt());
        const auto g = grads[0].to(yt).contiguous();
        const int64_t w = x.size(-1), rows = x.numel() / w;
        const Chunks chunks(rows, has_bias ? bias.size(0) : 1);
        auto gx = torch::empty_like(x);
        // One partial per chunk, summed after: no shared writes between threads.
        auto part = torch::zeros({chunks.count(), 3, w}, gamma.options());
        dispatch(x.scalar_type(), yt, [&](auto t, auto xs, auto ys) {
            using T = decltype(t);
            using X = decltype(xs);
            using Y = decltype(ys);
            const Rows<T, X> in{ptr<X>(x), has_bias ? ptr<T>(bias) : nullptr, chunks.rows_per_group,
                                w};
            at::parallel_for(0, chunks.count(), 1, [&](int64_t cb, int64_t ce) {
                std::vector<T> buf(static_cast<size_t>(5 * w));
                for (int64_t c = cb; c < ce; ++c) {
                    const auto [b, e] = chunks.range(c);
                    if (b >= e) continue;
                    backward_rows(ptr<Y>(g), in, ptr<T>(gamma), ptr<T>(beta), ptr<T>(mean),
                                  ptr<T>(rstd), Out<T, X>{ptr<X>(gx), w}, ptr<T>(part) + c * 3 * w,
                                  buf.data(), b, e, a);
                }
            });
        });
        const auto sums = part.narrow(1, 0, 2).sum(0);
        torch::Tensor gbias;
        if (has_bias) {
            gbias = part.select(1, 2).view({chunks.groups, chunks.per_group, w}).sum(1);
        }
        return {gx, sums[0], sums[1], gbias, {}, {}, {}, {}, {}};
    }
};

}  // namespace

torch::Tensor norm_act_dropout_reference(const torch::Tensor& x_in, const torch::Tensor& gamma,
                                         const torch::Tensor& beta, double eps, bool relu, double p,
                                         bool train, const torch::Tensor& bias,
                                         c10::optional<torch::ScalarType> out_type) {
    const auto x = x_in.to(gamma.scalar_type());
    const auto xb = bias.defined() ? x + bias.view({bias.size(0), 1, bias.size(1)}) : x;
    const auto n = torch::layer_norm(xb, {x.size(-1)}, gamma, beta, eps);
    const auto y = relu ? fast_relu_dropout(n, p, train) : fast_dropout(n, p, train);
    return y.to(out_type.value_or(gamma.scalar_type()));
}

torch::Tensor norm_act_dropout(const torch::Tensor& x, const torch::Tensor& gamma,
                               const torch::Tensor& beta, double eps, bool relu, double p,
                               bool train, const torch::Tensor& bias,
                               c10::optional<torch::ScalarType> out_type) {
    const auto t = gamma.scalar_type();
    const auto yt = out_type.value_or(t);
    if (bias.defined() && (x.dim() != 3 || bias.dim() != 2 || bias.size(0) != x.size(0) ||
                           bias.size(1) != x.size(2))) {
        throw common::Error("norm_act_dropout: bias must be G×w for x G×T×w");
    }
    // bf16 storage (x, y) only around float32 math.
    const auto xt = x.scalar_type();
    const bool types = (xt == t || (xt == torch::kBFloat16 && t == torch::kFloat32)) &&
                       (yt == t || (yt == torch::kBFloat16 && t == torch::kFloat32)) &&
                       beta.scalar_type() == t && (!bias.defined() || bias.scalar_type() == t);
    const bool fused = types && fused_applies(Kernel::Norm, gamma) && x.is_cpu() && x.numel() > 0 &&
                       (!train || p < 1);
    if (!fused) {
        return norm_act_dropout_reference(x, gamma, beta, eps, relu, p, train, bias, out_type);
    }
    // An autograd Function cannot take an undefined tensor: "no bias" is 0 elements.
    return NormActFn::apply(x, gamma.contiguous(), beta.contiguous(),
                            bias.defined() ? bias.contiguous() : torch::empty({0}, gamma.options()),
                            eps, relu, p, train, static_cast<int64_t>(yt));
}

}  // namespace nar::model
