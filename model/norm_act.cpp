#include "model/norm_act.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "common/error.h"
#include "model/dropout.h"
#include "model/dropout_mask.h"
#include "model/fused_kernels.h"
#include "model/row_kernels.h"

namespace nar::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

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

// Row r is x_r + bias[r / rows_per_group] when there is a bias (the grouped
// linears' bias, added here instead of by a per-group baddbmm loop).
template <typename T>
struct Rows {
    const T* x;
    const T* bias;  // G×w or nullptr
    int64_t rows_per_group;
    int64_t w;
    // Row r's values: x's row itself, or x + bias written to tmp.
    const T* row(int64_t r, T* tmp) const {
        const T* xr = x + r * w;
        if (!bias) return xr;
        const T* br = bias + (r / rows_per_group) * w;
        for (int64_t k = 0; k < w; ++k) tmp[k] = xr[k] + br[k];
        return tmp;
    }
};

template <typename T>
__attribute__((target_clones("avx512f", "avx2", "default"))) void forward_rows(
    Rows<T> in, const T* gamma, const T* beta, T* y, T* mean, T* rstd, T* tmp, int64_t begin,
    int64_t end, T eps, Act a) {
    const int64_t w = in.w;
    for (int64_t r = begin; r < end; ++r) {
        const T* xr = in.row(r, tmp);
        T* yr = y + r * w;
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
    }
}

// gx for rows [begin, end); this chunk's γ, β and bias gradient partials go to
// part[0..w), [w..2w), [2w..3w).
template <typename T>
__attribute__((target_clones("avx512f", "avx2", "default"))) void backward_rows(
    const T* g, Rows<T> in, const T* gamma, const T* beta, const T* mean, const T* rstd, T* gx,
    T* part, T* buf, int64_t begin, int64_t end, Act a) {
    const int64_t w = in.w;
    T* gz = buf;
    T* xh = buf + w;
    T* tmp = buf + 2 * w;
    T *gg = part, *gb = part + w, *gbias = part + 2 * w;
    for (int64_t r = begin; r < end; ++r) {
        const T* xr = in.row(r, tmp);
        const T* gr = g + r * w;
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
        T* gxr = gx + r * w;
        for (int64_t k = 0; k < w; ++k) gxr[k] = rs * (gz[k] - m1 - xh[k] * m2);
        if (in.bias) {
            for (int64_t k = 0; k < w; ++k) gbias[k] += gxr[k];
        }
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

Act act_of(bool relu, double p, bool train, uint64_t seed) {
    Act a;
    a.relu = relu;
    a.drop = train && p > 0;
    if (a.drop) {
        a.mask = DropoutMask::make(seed, p);
        a.scale = a.mask.scale();
    }
    return a;
}

struct NormActFn : torch::autograd::Function<NormActFn> {
    // bias: G×w (x's rows split into G equal groups) or 0 elements
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x_in,
                                 const torch::Tensor& gamma, const torch::Tensor& beta,
                                 const torch::Tensor& bias, double eps, bool relu, double p,
                                 bool train) {
        const auto x = x_in.contiguous();
        const int64_t w = x.size(-1), rows = x.numel() / w;
        const bool has_bias = bias.numel() > 0;
        const int64_t groups = has_bias ? bias.size(0) : 1;
        const uint64_t seed = train && p > 0 ? draw_dropout_seed() : 0;
        const Act a = act_of(relu, p, train, seed);
        auto y = torch::empty_like(x);
        auto mean = torch::empty({rows}, x.options());
        auto rstd = torch::empty({rows}, x.options());
        AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "nar_norm_act", [&] {
            const Rows<scalar_t> in{x.data_ptr<scalar_t>(),
                                    has_bias ? bias.data_ptr<scalar_t>() : nullptr, rows / groups,
                                    w};
            at::parallel_for(0, rows, kRowGrain, [&](int64_t b, int64_t e) {
                std::vector<scalar_t> tmp(static_cast<size_t>(w));
                forward_rows(in, gamma.data_ptr<scalar_t>(), beta.data_ptr<scalar_t>(),
                             y.data_ptr<scalar_t>(), mean.data_ptr<scalar_t>(),
                             rstd.data_ptr<scalar_t>(), tmp.data(), b, e,
                             static_cast<scalar_t>(eps), a);
            });
        });
        ctx->save_for_backward({x, gamma, beta, mean, rstd});
        if (has_bias) ctx->saved_data["bias"] = bias;
        ctx->saved_data["seed"] = static_cast<int64_t>(seed);
        ctx->saved_data["relu"] = relu;
        ctx->saved_data["p"] = p;
        ctx->saved_data["train"] = train;
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
        const auto g = grads[0].contiguous();
        const int64_t w = x.size(-1), rows = x.numel() / w;
        const Chunks chunks(rows, has_bias ? bias.size(0) : 1);
        auto gx = torch::empty_like(x);
        // One partial per chunk, summed after: no shared writes between threads.
        auto part = torch::zeros({chunks.count(), 3, w}, x.options());
        AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "nar_norm_act_backward", [&] {
            const Rows<scalar_t> in{x.data_ptr<scalar_t>(),
                                    has_bias ? bias.data_ptr<scalar_t>() : nullptr,
                                    chunks.rows_per_group, w};
            at::parallel_for(0, chunks.count(), 1, [&](int64_t cb, int64_t ce) {
                std::vector<scalar_t> buf(static_cast<size_t>(3 * w));
                for (int64_t c = cb; c < ce; ++c) {
                    const auto [b, e] = chunks.range(c);
                    if (b >= e) continue;
                    backward_rows(g.data_ptr<scalar_t>(), in, gamma.data_ptr<scalar_t>(),
                                  beta.data_ptr<scalar_t>(), mean.data_ptr<scalar_t>(),
                                  rstd.data_ptr<scalar_t>(), gx.data_ptr<scalar_t>(),
                                  part.data_ptr<scalar_t>() + c * 3 * w, buf.data(), b, e, a);
                }
            });
        });
        const auto sums = part.narrow(1, 0, 2).sum(0);
        torch::Tensor gbias;
        if (has_bias) {
            gbias = part.select(1, 2).view({chunks.groups, chunks.per_group, w}).sum(1);
        }
        return {gx, sums[0], sums[1], gbias, {}, {}, {}, {}};
    }
};

template <typename T>
__attribute__((target_clones("avx512f", "avx2", "default"))) void l2_forward_rows(
    const T* v, T* y, T* denom, int64_t begin, int64_t end, int64_t w, T eps, Act a) {
    for (int64_t r = begin; r < end; ++r) {
        const T* vr = v + r * w;
        T* yr = y + r * w;
        const T d = std::max(std::sqrt(kernels::lane_dot(vr, vr, w)), eps);
        denom[r] = d;
        for (int64_t k = 0; k < w; ++k) yr[k] = vr[k] / d > 0 ? vr[k] / d : T(0);
        apply_dropout(a, yr, r * w, w);
    }
}

template <typename T>
__attribute__((target_clones("avx512f", "avx2", "default"))) void l2_backward_rows(
    const T* g, const T* v, const T* denom, T* gv, T* buf, int64_t begin, int64_t end, int64_t w,
    T eps, Act a) {
    T* gy = buf;
    T* y = buf + w;
    for (int64_t r = begin; r < end; ++r) {
        const T* vr = v + r * w;
        const T* gr = g + r * w;
        const T d = denom[r];
        for (int64_t k = 0; k < w; ++k) {
            y[k] = vr[k] / d;
            gy[k] = y[k] > 0 ? gr[k] : T(0);
        }
        apply_dropout(a, gy, r * w, w);
        // Where the norm was clamped to eps the divisor is a constant.
        const T dot = d > eps ? kernels::lane_dot(gy, y, w) : T(0);
        T* gvr = gv + r * w;
        for (int64_t k = 0; k < w; ++k) gvr[k] = (gy[k] - y[k] * dot) / d;
    }
}

struct L2NormActFn : torch::autograd::Function<L2NormActFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& v_in, double eps,
                                 double p, bool train) {
        const auto v = v_in.contiguous();
        const int64_t w = v.size(1), rows = v.size(0);
        const uint64_t seed = train && p > 0 ? draw_dropout_seed() : 0;
        const Act a = act_of(true, p, train, seed);
        auto y = torch::empty_like(v);
        auto denom = torch::empty({rows}, v.options());
        AT_DISPATCH_FLOATING_TYPES(v.scalar_type(), "nar_l2norm_act", [&] {
            at::parallel_for(0, rows, kRowGrain, [&](int64_t b, int64_t e) {
                l2_forward_rows(v.data_ptr<scalar_t>(), y.data_ptr<scalar_t>(),
                                denom.data_ptr<scalar_t>(), b, e, w, static_cast<scalar_t>(eps), a);
            });
        });
        ctx->save_for_backward({v, denom});
        ctx->saved_data["seed"] = static_cast<int64_t>(seed);
        ctx->saved_data["eps"] = eps;
        ctx->saved_data["p"] = p;
        ctx->saved_data["train"] = train;
        return y;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &v = saved[0], &denom = saved[1];
        const double eps = ctx->saved_data["eps"].toDouble();
        const Act a =
            act_of(true, ctx->saved_data["p"].toDouble(), ctx->saved_data["train"].toBool(),
                   static_cast<uint64_t>(ctx->saved_data["seed"].toInt()));
        const auto g = grads[0].contiguous();
        const int64_t w = v.size(1), rows = v.size(0);
        auto gv = torch::empty_like(v);
        AT_DISPATCH_FLOATING_TYPES(v.scalar_type(), "nar_l2norm_act_backward", [&] {
            at::parallel_for(0, rows, kRowGrain, [&](int64_t b, int64_t e) {
                std::vector<scalar_t> buf(static_cast<size_t>(2 * w));
                l2_backward_rows(g.data_ptr<scalar_t>(), v.data_ptr<scalar_t>(),
                                 denom.data_ptr<scalar_t>(), gv.data_ptr<scalar_t>(), buf.data(), b,
                                 e, w, static_cast<scalar_t>(eps), a);
            });
        });
        return {gv, {}, {}, {}};
    }
};

}  // namespace

torch::Tensor l2norm_relu_dropout_reference(const torch::Tensor& v, double eps, double p,
                                            bool train) {
    namespace F = torch::nn::functional;
    return fast_relu_dropout(F::normalize(v, F::NormalizeFuncOptions().p(2).dim(1).eps(eps)), p,
                             train);
}

torch::Tensor l2norm_relu_dropout(const torch::Tensor& v, double eps, double p, bool train) {
    if (!fused_applies(Kernel::L2, v) || v.dim() != 2 || (train && p >= 1))
        return l2norm_relu_dropout_reference(v, eps, p, train);
    return L2NormActFn::apply(v, eps, p, train);
}

torch::Tensor norm_act_dropout_reference(const torch::Tensor& x, const torch::Tensor& gamma,
                                         const torch::Tensor& beta, double eps, bool relu, double p,
                                         bool train, const torch::Tensor& bias) {
    const auto xb = bias.defined() ? x + bias.view({bias.size(0), 1, bias.size(1)}) : x;
    const auto n = torch::layer_norm(xb, {x.size(-1)}, gamma, beta, eps);
    return relu ? fast_relu_dropout(n, p, train) : fast_dropout(n, p, train);
}

torch::Tensor norm_act_dropout(const torch::Tensor& x, const torch::Tensor& gamma,
                               const torch::Tensor& beta, double eps, bool relu, double p,
                               bool train, const torch::Tensor& bias) {
    const auto t = x.scalar_type();
    if (bias.defined() && (x.dim() != 3 || bias.dim() != 2 || bias.size(0) != x.size(0) ||
                           bias.size(1) != x.size(2))) {
        throw common::Error("norm_act_dropout: bias must be G×w for x G×T×w");
    }
    const bool fused = fused_applies(Kernel::Norm, x) && gamma.scalar_type() == t &&
                       beta.scalar_type() == t && (!bias.defined() || bias.scalar_type() == t) &&
                       (!train || p < 1);
    if (!fused) return norm_act_dropout_reference(x, gamma, beta, eps, relu, p, train, bias);
    // An autograd Function cannot take an undefined tensor: "no bias" is 0 elements.
    return NormActFn::apply(x, gamma.contiguous(), beta.contiguous(),
                            bias.defined() ? bias.contiguous() : torch::empty({0}, x.options()),
                            eps, relu, p, train);
}

}  // namespace nar::model
