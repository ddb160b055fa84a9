#include "model/group_matmul.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include "model/fused_kernels.h"
#include "model/gemm.h"
#include "model/group_threads.h"
#include "model/matmul_precision.h"

namespace nar::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// out[g] = a[g] · b[g] for every g, whole groups per thread.
torch::Tensor grouped_product(const torch::Tensor& a, const torch::Tensor& b) {
    auto out = torch::empty({a.size(0), a.size(1), b.size(2)}, a.options());
    for_each_group(a.size(0), [&](int64_t g) {
        auto o = out.select(0, g);
        gemm_out(o, a.select(0, g), b.select(0, g));
    });
    return out;
}

struct GroupMatmulFn : torch::autograd::Function<GroupMatmulFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& w) {
        ctx->save_for_backward({x, w});
        return grouped_product(x, w);
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &x = saved[0], &w = saved[1];
        const auto g = grads[0].contiguous();
        torch::Tensor gx, gw;
        if (ctx->needs_input_grad(0)) gx = grouped_product(g, w.transpose(1, 2));
        if (ctx->needs_input_grad(1)) {
            gw = x.scalar_type() == torch::kBFloat16 ? weight_grad_product(x, g)
                                                     : grouped_product(x.transpose(1, 2), g);
        }
        return {gx, gw};
    }
};

}  // namespace

torch::Tensor group_matmul(const torch::Tensor& x, const torch::Tensor& w) {
    const bool shapes = x.dim() == 3 && w.dim() == 3 && x.size(0) == w.size(0) && x.size(0) > 1 &&
                        x.size(2) == w.size(1) && w.scalar_type() == x.scalar_type() &&
                        w.is_cpu() && x.numel() > 0;
    // bf16 always: the padding is a guard against a oneDNN fault, not a speed-up.
    const bool bf16 = x.scalar_type() == torch::kBFloat16 && x.is_cpu();
    const bool fast = fused_applies(Kernel::Group, x) && at::get_num_threads() > 1;
    if (!shapes || !(bf16 || fast) || at::in_parallel_region()) return torch::bmm(x, w);
    RECORD_FUNCTION("nar::group_matmul", std::vector<c10::IValue>({x}));
    return GroupMatmulFn::apply(x.contiguous(), w.contiguous());
}

}  // namespace nar::model
