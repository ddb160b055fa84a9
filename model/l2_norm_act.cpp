#include "model/l2_norm_act.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "model/dropout.h"
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
    const T* g, const T* v, const T* denom, const T* out, T* gv, T* buf, int64_t begin, int64_t end,
    int64_t w, T eps, Act a) {
    T* gy = buf;
    T* y = buf + w;
    const kernels::SavedGate<T> gate(a);  // from the forward's output (ReLU on)
    for (int64_t r = begin; r < end; ++r) {
        const T* vr = v + r * w;
        const T* gr = g + r * w;
        const T d = denom[r];
        const T* outr = out + r * w;
        for (int64_t k = 0; k < w; ++k) {
            y[k] = vr[k] / d;
            gy[k] = gate(gr[k], outr[k]);
        }
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
        // y is kept for the next LayerNorm's backward anyway: saved, it is the
        // ReLU-and-dropout gate of this backward.
        ctx->save_for_backward({v, denom, y});
        ctx->saved_data["seed"] = static_cast<int64_t>(seed);
        ctx->saved_data["eps"] = eps;
        ctx->saved_data["p"] = p;
        ctx->saved_data["train"] = train;
        return y;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &v = saved[0], &denom = saved[1], &y = saved[2];
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
                                 denom.data_ptr<scalar_t>(), y.data_ptr<scalar_t>(),
                                 gv.data_ptr<scalar_t>(), buf.data(), b, e, w,
                                 static_cast<scalar_t>(eps), a);
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
    RECORD_FUNCTION("nar::l2_norm_act", std::vector<c10::IValue>({v}));
    return L2NormActFn::apply(v, eps, p, train);
}

}  // namespace nar::model
