#include "model/norm_act.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include <cmath>
#include <cstdint>

#include "common/error.h"
#include "model/dropout.h"
#include "model/dropout_mask.h"
#include "model/fused_kernels.h"
#include "model/norm_rows.h"
#include "model/row_act.h"

namespace nar::model {

namespace {

using kernels::Act;
using kernels::act_of;
using kernels::kRowGrain;
using kernels::norm_rows_backward;
using kernels::norm_rows_forward;
using kernels::NormChunks;
using kernels::NormInput;
using kernels::RowBlock;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

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
        Act a = act_of(relu, p, train, seed);
        // The backward's ReLU-and-dropout gate, instead of hashing the mask again
        // (norm_rows.h): with ReLU the output itself, saved below; without, a
        // kept output can be zero, so each element's keep is stored as a byte.
        torch::Tensor keep;
        if (a.drop && !a.relu) {
            keep = torch::empty({rows * w}, x.options().dtype(torch::kUInt8));
            a.kept = keep.data_ptr<uint8_t>();
        }
        const auto yt = static_cast<torch::ScalarType>(y_type);
        auto y = torch::empty(x.sizes(), x.options().dtype(yt));
        auto mean = torch::empty({rows}, gamma.options());
        auto rstd = torch::empty({rows}, gamma.options());
        dispatch(x.scalar_type(), yt, [&](auto t, auto xs, auto ys) {
            using T = decltype(t);
            using X = decltype(xs);
            using Y = decltype(ys);
            const NormInput<T, X> in{
                {ptr<X>(x), w}, has_bias ? ptr<T>(bias) : nullptr, rows / groups, w};
            at::parallel_for(0, rows, kRowGrain, [&](int64_t b, int64_t e) {
                norm_rows_forward(in, ptr<T>(gamma), ptr<T>(beta), RowBlock<Y>{ptr<Y>(y), w},
                                  ptr<T>(mean), ptr<T>(rstd), b, e, static_cast<T>(eps), a);
            });
        });
        ctx->save_for_backward(
            {x, gamma, beta, mean, rstd, a.drop && a.relu ? y : torch::Tensor(), keep});
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
        Act a = act_of(ctx->saved_data["relu"].toBool(), ctx->saved_data["p"].toDouble(),
                       ctx->saved_data["train"].toBool(),
                       static_cast<uint64_t>(ctx->saved_data["seed"].toInt()));
        const auto &gate = saved[5], &keep = saved[6];
        if (keep.defined()) a.kept = keep.data_ptr<uint8_t>();
        const auto yt = static_cast<torch::ScalarType>(ctx->saved_data["y_type"].toInt());
        const auto g = grads[0].to(yt).contiguous();
        const int64_t w = x.size(-1), rows = x.numel() / w;
        const NormChunks chunks(rows, has_bias ? bias.size(0) : 1);
        auto gx = torch::empty_like(x);
        // One partial per chunk, summed after: no shared writes between threads.
        auto part = torch::zeros({chunks.count(), 3, w}, gamma.options());
        dispatch(x.scalar_type(), yt, [&](auto t, auto xs, auto ys) {
            using T = decltype(t);
            using X = decltype(xs);
            using Y = decltype(ys);
            const NormInput<T, X> in{
                {ptr<X>(x), w}, has_bias ? ptr<T>(bias) : nullptr, chunks.rows_per_group, w};
            at::parallel_for(0, chunks.count(), 1, [&](int64_t cb, int64_t ce) {
                for (int64_t c = cb; c < ce; ++c) {
                    const auto [b, e] = chunks.range(c);
                    if (b >= e) continue;
                    norm_rows_backward(RowBlock<const Y>{ptr<Y>(g), w}, in, ptr<T>(gamma),
                                       ptr<T>(beta), ptr<T>(mean), ptr<T>(rstd),
                                       RowBlock<X>{ptr<X>(gx), w}, ptr<T>(part) + c * 3 * w, b, e,
                                       a, {gate.defined() ? ptr<Y>(gate) : nullptr, w});
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
    RECORD_FUNCTION("nar::norm_act", std::vector<c10::IValue>({x}));
    // An autograd Function cannot take an undefined tensor: "no bias" is 0 elements.
    return NormActFn::apply(x, gamma.contiguous(), beta.contiguous(),
                            bias.defined() ? bias.contiguous() : torch::empty({0}, gamma.options()),
                            eps, relu, p, train, static_cast<int64_t>(yt));
}

}  // namespace nar::model
