#include "model/degree_gate.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include <algorithm>
#include <vector>

#include "model/fused_kernels.h"
#include "model/row_act.h"

namespace nar::model {

namespace {

using kernels::kRowGrain;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

template <typename T>
__attribute__((target_clones("avx512f", "avx2", "default"))) void scale_rows(
    const T* x, const T* gate, const int64_t* which, T* y, int64_t d, int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
        const T* gt = gate + which[t] * d;
        for (int64_t k = 0; k < d; ++k) y[t * d + k] = x[t * d + k] * gt[k];
    }
}

// gx = g·gate[which]; part[u] += g·x over this chunk's rows of degree u.
template <typename T>
__attribute__((target_clones("avx512f", "avx2", "default"))) void scale_rows_backward(
    const T* g, const T* x, const T* gate, const int64_t* which, T* gx, T* part, int64_t d,
    int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
        const T* gt = gate + which[t] * d;
        T* pu = part + which[t] * d;
        for (int64_t k = 0; k < d; ++k) {
            gx[t * d + k] = g[t * d + k] * gt[k];
            pu[k] += g[t * d + k] * x[t * d + k];
        }
    }
}

// y_t = x_t ⊙ gate[which_t], differentiable in x and gate.
struct ScaleRowsFn : torch::autograd::Function<ScaleRowsFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x_in,
                                 const torch::Tensor& gate_in, const torch::Tensor& which) {
        const auto x = x_in.contiguous(), gate = gate_in.contiguous();
        const int64_t t = x.size(0), d = x.size(1);
        auto y = torch::empty_like(x);
        AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "nar_degree_gate", [&] {
            at::parallel_for(0, t, kRowGrain, [&](int64_t b, int64_t e) {
                scale_rows(x.data_ptr<scalar_t>(), gate.data_ptr<scalar_t>(),
                           which.data_ptr<int64_t>(), y.data_ptr<scalar_t>(), d, b, e);
            });
        });
        ctx->save_for_backward({x, gate});
        ctx->saved_data["which"] = which;
        return y;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &x = saved[0], &gate = saved[1];
        const auto which = ctx->saved_data["which"].toTensor();
        const auto g = grads[0].contiguous();
        const int64_t t = x.size(0), d = x.size(1), u = gate.size(0);
        // Fixed chunks (not per thread): the sums do not depend on the thread count.
        const int64_t per = 256, chunks = std::max<int64_t>(1, (t + per - 1) / per);
        auto gx = torch::empty_like(x);
        auto part = torch::zeros({chunks, u, d}, x.options());
        AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "nar_degree_gate_backward", [&] {
            at::parallel_for(0, chunks, 1, [&](int64_t cb, int64_t ce) {
                for (int64_t c = cb; c < ce; ++c) {
                    scale_rows_backward(g.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(),
                                        gate.data_ptr<scalar_t>(), which.data_ptr<int64_t>(),
                                        gx.data_ptr<scalar_t>(),
                                        part.data_ptr<scalar_t>() + c * u * d, d, c * per,
                                        std::min(t, (c + 1) * per));
                }
            });
        });
        return {gx, part.sum(0), {}};
    }
};

}  // namespace

torch::Tensor degree_gate_reference(const torch::Tensor& x, const torch::Tensor& degree,
                                    torch::nn::Linear& deg) {
    return x * torch::sigmoid(deg(degree));
}

torch::Tensor degree_gate(const torch::Tensor& x, const torch::Tensor& degree,
                          torch::nn::Linear& deg) {
    const auto st = x.scalar_type();
    const bool fused = fused_applies(Kernel::Gate, x) && x.dim() == 2 &&
                       degree.scalar_type() == st && degree.numel() == x.size(0);
    if (!fused) return degree_gate_reference(x, degree, deg);
    const auto [values, which] = at::_unique(degree.reshape({-1}), /*sorted=*/true,
                                             /*return_inverse=*/true);
    // Many distinct degrees (no gain from sharing): the composite.
    if (values.size(0) * 4 > x.size(0)) return degree_gate_reference(x, degree, deg);
    const auto gate = torch::sigmoid(deg(values.unsqueeze(1)));  // U×D, autograd as usual
    RECORD_FUNCTION("nar::scale_rows", std::vector<c10::IValue>({x}));
    return ScaleRowsFn::apply(x, gate, which.contiguous());
}

}  // namespace nar::model
