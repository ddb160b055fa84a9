#include "model/grouped_ffn.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include "model/dropout_mask.h"
#include "model/fused_kernels.h"
#include "model/gemm.h"
#include "model/group_threads.h"
#include "model/matmul_precision.h"
#include "model/norm_rows.h"
#include "model/row_act.h"

namespace nar::model {

namespace {

using kernels::Act;
using kernels::NormChunks;
using kernels::NormInput;
using kernels::RowBlock;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

template <typename T>
T* ptr(const torch::Tensor& t) {
    return t.data_ptr<T>();
}

// One GroupLinear's norm over the G·T rows of its G×T×w pre-norm values z
// (its product without the bias).
template <typename T>
struct Norm {
    NormInput<T, T> in;
    const T *gamma, *beta;
    T *mean, *rstd;
    T eps;
    Act act;
};

template <typename T>
Norm<T> norm_of(const torch::Tensor& z, const torch::Tensor& bias, const torch::Tensor& gamma,
                const torch::Tensor& beta, const torch::Tensor& mean, const torch::Tensor& rstd,
                double eps, const Act& act) {
    const int64_t w = z.size(2);
    return {{{ptr<T>(z), w}, ptr<T>(bias), z.size(1), w},
            ptr<T>(gamma),
            ptr<T>(beta),
            ptr<T>(mean),
            ptr<T>(rstd),
            static_cast<T>(eps),
            act};
}

struct GroupedFfnFn : torch::autograd::Function<GroupedFfnFn> {
    // wu: G×d×h, bu: G×1×h, gu/betau: h; wd: G×h×d, bd: G×1×d, gd/betad: d.
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& wu, const torch::Tensor& bu,
                                 const torch::Tensor& gu, const torch::Tensor& betau,
                                 const torch::Tensor& wd, const torch::Tensor& bd,
                                 const torch::Tensor& gd, const torch::Tensor& betad, double eps_u,
                                 double eps_d, double p, bool train) {
        const int64_t t = x.size(0), groups = wu.size(0), d = wu.size(1), h = wu.size(2);
        // Drawn in the per-operation path's order: up's norm first.
        const bool drop = train && p > 0;
        const uint64_t seed_u = drop ? draw_dropout_seed() : 0;
        const uint64_t seed_d = drop ? draw_dropout_seed() : 0;
        const auto o = x.options();
        auto zu = torch::empty({groups, t, h}, o), zd = torch::empty({groups, t, d}, o);
        auto hidden = torch::empty({groups, t, h}, o);
        auto stats = torch::empty({4, groups * t}, o);  // mean, rstd of up, then of down
        // Down's dropout keeps, stored for the backward (its norm has no ReLU).
        const auto keep_d =
            drop ? torch::empty({groups * t, d}, o.dtype(torch::kUInt8)) : torch::Tensor();
        auto out = torch::empty({t, x.size(1)}, o);
        // Group-major copy of x: each group's up product and weight gradient
        // then stream one contiguous T×d block instead of d-wide column slices.
        const auto xg = x.view({t, groups, d}).transpose(0, 1).contiguous();
        AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "grouped_ffn", [&] {
            using T = scalar_t;
            const auto nu = norm_of<T>(zu, bu, gu, betau, stats[0], stats[1], eps_u,
                                       kernels::act_of(true, p, train, seed_u));
            auto nd = norm_of<T>(zd, bd, gd, betad, stats[2], stats[3], eps_d,
                                 kernels::act_of(false, p, train, seed_d));
            if (keep_d.defined()) nd.act.kept = keep_d.data_ptr<uint8_t>();
            for_each_group(groups, [&](int64_t g) {
                const int64_t r0 = g * t, r1 = r0 + t;
                auto hidden_g = hidden.select(0, g);
                auto zu_g = zu.select(0, g), zd_g = zd.select(0, g);
                gemm_out(zu_g, xg.select(0, g), wu.select(0, g));
                kernels::norm_rows_forward(nu.in, nu.gamma, nu.beta,
                                           RowBlock<T>{ptr<T>(hidden), h, 0}, nu.mean, nu.rstd, r0,
                                           r1, nu.eps, nu.act);
                gemm_out(zd_g, hidden_g, wd.select(0, g));
                kernels::norm_rows_forward(nd.in, nd.gamma, nd.beta,
                                           RowBlock<T>{ptr<T>(out) + g * d, x.size(1), r0}, nd.mean,
                                           nd.rstd, r0, r1, nd.eps, nd.act);
            });
        });
        ctx->save_for_backward(
            {xg, wu, bu, gu, betau, wd, bd, gd, betad, zu, zd, stats, hidden, keep_d});
        ctx->saved_data["eps_u"] = eps_u;
        ctx->saved_data["eps_d"] = eps_d;
        ctx->saved_data["p"] = p;
        ctx->saved_data["train"] = train;
        ctx->saved_data["seed_u"] = static_cast<int64_t>(seed_u);
        ctx->saved_data["seed_d"] = static_cast<int64_t>(seed_d);
        return out;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto s = ctx->get_saved_variables();
        const auto &xg = s[0], &wu = s[1], &bu = s[2], &gu = s[3], &betau = s[4], &wd = s[5],
                   &bd = s[6], &gd = s[7], &betad = s[8], &zu = s[9], &zd = s[10];
        const auto &stats = s[11], &hidden = s[12], &keep_d = s[13];
        const double p = ctx->saved_data["p"].toDouble();
        const bool train = ctx->saved_data["train"].toBool();
        const auto seed = [&](const char* k) {
            return static_cast<uint64_t>(ctx->saved_data[k].toInt());
        };
        const auto gout = grads[0].contiguous();
        // xg is the forward's group-major copy of x: G×T×d.
        const int64_t t = xg.size(1), groups = wu.size(0), d = wu.size(1), h = wu.size(2),
                      width = groups * d;
        const auto o = xg.options();
        const bool need_gx = ctx->needs_input_grad(0);
        auto gx = need_gx ? torch::empty({t, width}, o) : torch::Tensor();
        auto gwu = torch::empty_like(wu), gwd = torch::empty_like(wd);
        const NormChunks cu(groups * t, groups), cd(groups * t, groups);
        auto part_u = torch::zeros({cu.count(), 3, h}, o),
             part_d = torch::zeros({cd.count(), 3, d}, o);
        AT_DISPATCH_FLOATING_TYPES(xg.scalar_type(), "grouped_ffn_backward", [&] {
            using T = scalar_t;
            const auto nu = norm_of<T>(zu, bu, gu, betau, stats[0], stats[1],
                                       ctx->saved_data["eps_u"].toDouble(),
                                       kernels::act_of(true, p, train, seed("seed_u")));
            auto nd = norm_of<T>(zd, bd, gd, betad, stats[2], stats[3],
                                 ctx->saved_data["eps_d"].toDouble(),
                                 kernels::act_of(false, p, train, seed("seed_d")));
            if (keep_d.defined()) nd.act.kept = keep_d.data_ptr<uint8_t>();
            for_each_group(groups, [&](int64_t g) {
                const int64_t r0 = g * t;
                auto a = torch::empty({t, h}, o);  // the hidden's gradient
                auto b = torch::empty({t, d}, o);  // down's pre-norm gradient
                const RowBlock<T> ra{ptr<T>(a), h, r0}, rb{ptr<T>(b), d, r0};
                for (int64_t c = g * cd.per_group; c < (g + 1) * cd.per_group; ++c) {
                    const auto [lo, hi] = cd.range(c);
                    kernels::norm_rows_backward(RowBlock<const T>{ptr<T>(gout) + g * d, width, r0},
                                                nd.in, nd.gamma, nd.beta, nd.mean, nd.rstd, rb,
                                                ptr<T>(part_d) + c * 3 * d, lo, hi, nd.act);
                }
                auto gwd_g = gwd.select(0, g);
                // As (bᵀ·hidden)ᵀ: oneDNN ran hiddenᵀ·b ([h×T]·[T×d]) at 67 GF/s in the
                // step, the transposed product at 91.
                gwd_g.copy_(gemm(b.t(), hidden.select(0, g)).t());
                gemm_out(a, b, wd.select(0, g).t());
                for (int64_t c = g * cu.per_group; c < (g + 1) * cu.per_group; ++c) {
                    const auto [lo, hi] = cu.range(c);
                    kernels::norm_rows_backward(RowBlock<const T>{ra.base, h, r0}, nu.in, nu.gamma,
                                                nu.beta, nu.mean, nu.rstd, ra,
                                                ptr<T>(part_u) + c * 3 * h, lo, hi, nu.act,
                                                RowBlock<const T>{ptr<T>(hidden), h, 0});
                }
                const auto x_g = xg.select(0, g);
                auto gwu_g = gwu.select(0, g);
                gemm_out(gwu_g, x_g.t(), a);
                if (need_gx) {
                    auto gx_g = gx.narrow(1, g * d, d);
                    gemm_out(gx_g, a, wu.select(0, g).t());
                }
            });
        });
        // Summed as NormActFn sums its chunks.
        const auto su = part_u.narrow(1, 0, 2).sum(0), sd = part_d.narrow(1, 0, 2).sum(0);
        const auto gbu = part_u.select(1, 2).view({groups, cu.per_group, h}).sum(1).view_as(bu);
        const auto gbd = part_d.select(1, 2).view({groups, cd.per_group, d}).sum(1).view_as(bd);
        return {gx, gwu, gbu, su[0], su[1], gwd, gbd, sd[0], sd[1], {}, {}, {}, {}};
    }
};

}  // namespace

bool grouped_ffn_applies(const torch::Tensor& x, const GroupLinearImpl& up,
                         const GroupLinearImpl& down, double p, bool train) {
    const auto& wu = up.weight;
    const auto& wd = down.weight;
    const int64_t groups = up.groups();
    return fused_applies(Kernel::Ffn, x) && x.dim() == 2 && x.size(0) > 0 && groups > 1 &&
           down.groups() == groups && x.size(1) == wu.size(0) * wu.size(1) &&
           wd.size(1) == wu.size(2) && wd.size(2) == wu.size(1) &&
           wu.scalar_type() == x.scalar_type() && wd.scalar_type() == x.scalar_type() &&
           product_dtype(wu) == x.scalar_type() && at::get_num_threads() <= groups &&
           !at::in_parallel_region() && (!train || p < 1);
}

torch::Tensor grouped_ffn_per_op(const torch::Tensor& x, GroupLinearImpl& up, GroupLinearImpl& down,
                                 double p, bool train) {
    // Up's output chunk k is exactly down's input chunk k, so stay group-major.
    const int64_t t = x.size(0), groups = up.groups();
    const auto xg = x.view({t, groups, x.size(1) / groups}).transpose(0, 1);
    const auto h = up.forward_grouped_act(xg, true, p, train, true);
    return down.forward_grouped_act(h, false, p, train, false).transpose(0, 1).reshape({t, -1});
}

torch::Tensor grouped_ffn(const torch::Tensor& x, GroupLinearImpl& up, GroupLinearImpl& down,
                          double p, bool train) {
    if (!grouped_ffn_applies(x, up, down, p, train))
        return grouped_ffn_per_op(x, up, down, p, train);
    RECORD_FUNCTION("nar::grouped_ffn", std::vector<c10::IValue>({x}));
    return GroupedFfnFn::apply(x.contiguous(), up.weight.contiguous(), up.bias.contiguous(),
                               up.norm->weight, up.norm->bias, down.weight.contiguous(),
                               down.bias.contiguous(), down.norm->weight, down.norm->bias,
                               up.norm->options.eps(), down.norm->options.eps(), p, train);
}

}  // namespace nar::model
