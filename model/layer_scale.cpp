#include "model/layer_scale.h"

#include <ATen/Parallel.h>

#include "model/fused_kernels.h"
#include "model/row_act.h"

namespace nar::model {

namespace {

using kernels::kRowGrain;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Rows [begin, end) of T×w: gf = g·γ (f's gradient), gp = g·f (γ's, before the row sum).
template <typename T>
__attribute__((target_clones("avx512f", "avx2", "default"))) void products(const T* g, const T* f,
                                                                           const T* gamma, T* gf,
                                                                           T* gp, int64_t begin,
                                                                           int64_t end, int64_t w) {
    for (int64_t r = begin; r < end; ++r) {
        const int64_t o = r * w;
        for (int64_t k = 0; k < w; ++k) {
            gf[o + k] = g[o + k] * gamma[k];
            gp[o + k] = g[o + k] * f[o + k];
        }
    }
}

struct LayerScaleAddFn : torch::autograd::Function<LayerScaleAddFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& h,
                                 const torch::Tensor& gamma, const torch::Tensor& f) {
        ctx->save_for_backward({gamma, f});
        return torch::addcmul(h, gamma, f);
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto s = ctx->get_saved_variables();
        const auto gamma = s[0].contiguous(), f = s[1].contiguous();
        const auto g = grads[0].contiguous();
        const int64_t rows = f.size(0), w = f.size(1);
        auto gf = torch::empty_like(f), gp = torch::empty_like(f);
        AT_DISPATCH_FLOATING_TYPES(f.scalar_type(), "layer_scale_add_backward", [&] {
            using T = scalar_t;
            at::parallel_for(0, rows, kRowGrain, [&](int64_t b, int64_t e) {
                products(g.data_ptr<T>(), f.data_ptr<T>(), gamma.data_ptr<T>(), gf.data_ptr<T>(),
                         gp.data_ptr<T>(), b, e, w);
            });
        });
        // The reduction autograd gives a broadcast γ (sum_to: rows summed, kept, viewed).
        return {grads[0], gp.sum(0, true).view_as(gamma), gf};
    }
};

bool applies(const torch::Tensor& h, const torch::Tensor& gamma, const torch::Tensor& f) {
    return fused_applies(Kernel::Residual, f) && f.dim() == 2 && h.sizes() == f.sizes() &&
           gamma.dim() == 1 && gamma.size(0) == f.size(1) && h.scalar_type() == f.scalar_type() &&
           gamma.scalar_type() == f.scalar_type() && h.device() == f.device() &&
           gamma.device() == f.device();
}

}  // namespace

torch::Tensor layer_scale_add(const torch::Tensor& h, const torch::Tensor& gamma,
                              const torch::Tensor& f) {
    if (!applies(h, gamma, f)) return torch::addcmul(h, gamma, f);
    return LayerScaleAddFn::apply(h, gamma, f);
}

}  // namespace nar::model
