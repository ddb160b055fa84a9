#include "model/edge_attention.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include "model/fused_kernels.h"
#include "model/row_kernels.h"

namespace nar::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr int64_t kRowGrain = 16;
constexpr double kEps = 1e-6;

struct Csr {
    const int64_t* row_ptr;  // edges of row i: [row_ptr[i], row_ptr[i+1]) (sorted by dst)
    const int64_t* src;
    const int64_t* dst;
    const int64_t* src_ptr;  // edges with src j: by_src[src_ptr[j] .. src_ptr[j+1])
    const int64_t* by_src;
};

template <typename T>
__attribute__((target_clones("avx512f", "avx2", "default"))) void forward_rows(
    const T* s, const T* x, const T* w, Csr c, T scale, T* p, T* denom, T* out, int64_t d,
    int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
        const T* si = s + i * d;
        T r = 0;
        for (int64_t e = c.row_ptr[i]; e < c.row_ptr[i + 1]; ++e) {
            p[e] = kernels::lane_dot(si, s + c.src[e] * d, d) * (w[e] * scale);
            r += p[e];
        }
        const T den = r + static_cast<T>(kEps);
        denom[i] = den;
        T* oi = out + i * d;
        for (int64_t k = 0; k < d; ++k) oi[k] = 0;
        for (int64_t e = c.row_ptr[i]; e < c.row_ptr[i + 1]; ++e) {
            p[e] /= den;
            kernels::axpy(p[e], x + c.src[e] * d, oi, d);
        }
    }
}

// Row i's own terms: ∂L/∂score_e (into gsc) and gs_i's share from its row.
template <typename T>
__attribute__((target_clones("avx512f", "avx2", "default"))) void backward_rows(
    const T* grad, const T* s, const T* x, const T* w, Csr c, T scale, const T* p, const T* denom,
    T* gsc, T* gs, int64_t d, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
        const T* gi = grad + i * d;
        T acc = 0;
        for (int64_t e = c.row_ptr[i]; e < c.row_ptr[i + 1]; ++e) {
            gsc[e] = kernels::lane_dot(gi, x + c.src[e] * d, d);  // ∂L/∂p_e
            acc += gsc[e] * p[e];
        }
        T* gsi = gs + i * d;
        for (int64_t k = 0; k < d; ++k) gsi[k] = 0;
        for (int64_t e = c.row_ptr[i]; e < c.row_ptr[i + 1]; ++e) {
            gsc[e] = (gsc[e] - acc) / denom[i] * (w[e] * scale);  // ∂L/∂<s_i, s_j>
            kernels::axpy(gsc[e], s + c.src[e] * d, gsi, d);
        }
    }
}

// Terms where node j is the sender: gx_j and the rest of gs_j.
template <typename T>
__attribute__((target_clones("avx512f", "avx2", "default"))) void backward_cols(
    const T* grad, const T* s, Csr c, const T* p, const T* gsc, T* gs, T* gx, int64_t d,
    int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) {
        T* gxj = gx + j * d;
        T* gsj = gs + j * d;
        for (int64_t k = 0; k < d; ++k) gxj[k] = 0;
        for (int64_t q = c.src_ptr[j]; q < c.src_ptr[j + 1]; ++q) {
            const int64_t e = c.by_src[q], i = c.dst[e];
            kernels::axpy(p[e], grad + i * d, gxj, d);
            kernels::axpy(gsc[e], s + i * d, gsj, d);
        }
    }
}

Csr csr_of(const torch::Tensor& row_ptr, const torch::Tensor& src, const torch::Tensor& dst,
           const torch::Tensor& src_ptr, const torch::Tensor& by_src) {
    return {row_ptr.data_ptr<int64_t>(), src.data_ptr<int64_t>(), dst.data_ptr<int64_t>(),
            src_ptr.data_ptr<int64_t>(), by_src.data_ptr<int64_t>()};
}

struct EdgeAttentionFn : torch::autograd::Function<EdgeAttentionFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& s_in,
                                 const torch::Tensor& x_in, const torch::Tensor& weight,
                                 const torch::Tensor& row_ptr, const torch::Tensor& src,
                                 const torch::Tensor& dst, const torch::Tensor& src_ptr,
                                 const torch::Tensor& by_src, double scale) {
        const auto s = s_in.contiguous(), x = x_in.contiguous();
        const int64_t t = s.size(0), d = s.size(1);
        auto out = torch::empty({t, d}, s.options());
        auto p = torch::empty({src.size(0)}, s.options());
        auto denom = torch::empty({t}, s.options());
        const Csr c = csr_of(row_ptr, src, dst, src_ptr, by_src);
        AT_DISPATCH_FLOATING_TYPES(s.scalar_type(), "nar_edge_attention", [&] {
            const auto sc = static_cast<scalar_t>(scale);
            at::parallel_for(0, t, kRowGrain, [&](int64_t b, int64_t e) {
                forward_rows(s.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(),
                             weight.data_ptr<scalar_t>(), c, sc, p.data_ptr<scalar_t>(),
                             denom.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(), d, b, e);
            });
        });
        ctx->save_for_backward({s, x});
        for (const auto& [k, v] : {std::pair{"w", weight},
                                   {"row_ptr", row_ptr},
                                   {"src", src},
                                   {"dst", dst},
                                   {"src_ptr", src_ptr},
                                   {"by_src", by_src},
                                   {"p", p},
                                   {"denom", denom}}) {
            ctx->saved_data[k] = v;
        }
        ctx->saved_data["scale"] = scale;
        return out;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &s = saved[0], &x = saved[1];
        const auto T_ = [&](const char* k) { return ctx->saved_data[k].toTensor(); };
        const auto w = T_("w"), row_ptr = T_("row_ptr"), src = T_("src"), dst = T_("dst"),
                   src_ptr = T_("src_ptr"), by_src = T_("by_src"), p = T_("p"), denom = T_("denom");
        const double scale = ctx->saved_data["scale"].toDouble();
        const auto grad = grads[0].contiguous();
        const int64_t t = s.size(0), d = s.size(1);
        auto gs = torch::empty_like(s), gx = torch::empty_like(x);
        auto gsc = torch::empty_like(p);
        const Csr c = csr_of(row_ptr, src, dst, src_ptr, by_src);
        AT_DISPATCH_FLOATING_TYPES(s.scalar_type(), "nar_edge_attention_backward", [&] {
            const auto sc = static_cast<scalar_t>(scale);
            at::parallel_for(0, t, kRowGrain, [&](int64_t b, int64_t e) {
                backward_rows(grad.data_ptr<scalar_t>(), s.data_ptr<scalar_t>(),
                              x.data_ptr<scalar_t>(), w.data_ptr<scalar_t>(), c, sc,
                              p.data_ptr<scalar_t>(), denom.data_ptr<scalar_t>(),
                              gsc.data_ptr<scalar_t>(), gs.data_ptr<scalar_t>(), d, b, e);
            });
            at::parallel_for(0, t, kRowGrain, [&](int64_t b, int64_t e) {
                backward_cols(grad.data_ptr<scalar_t>(), s.data_ptr<scalar_t>(), c,
                              p.data_ptr<scalar_t>(), gsc.data_ptr<scalar_t>(),
                              gs.data_ptr<scalar_t>(), gx.data_ptr<scalar_t>(), d, b, e);
            });
        });
        return {gs, gx, {}, {}, {}, {}, {}, {}, {}};
    }
};

}  // namespace

torch::Tensor edge_attention_reference(const torch::Tensor& s, const torch::Tensor& x,
                                       const PackedGraph& g, double scale) {
    const auto score =
        (s.index_select(0, g.dst) * s.index_select(0, g.src)).sum(1) * (g.weight * scale);
    const auto rowsum = torch::zeros({x.size(0)}, x.options()).index_add(0, g.dst, score);
    const auto p = score / (rowsum + kEps).index_select(0, g.dst);
    return torch::zeros_like(x).index_add(0, g.dst, x.index_select(0, g.src) * p.unsqueeze(1));
}

torch::Tensor edge_attention(const torch::Tensor& s, const torch::Tensor& x, const PackedGraph& g,
                             double scale) {
    const auto t = s.scalar_type();
    const bool fused = fused_applies(Kernel::Edge, s) && x.scalar_type() == t &&
                       g.weight.scalar_type() == t && s.dim() == 2 && x.sizes() == s.sizes() &&
                       g.row_ptr.defined();
    if (!fused) return edge_attention_reference(s, x, g, scale);
    RECORD_FUNCTION("nar::edge_attention", std::vector<c10::IValue>({s}));
    return EdgeAttentionFn::apply(s, x, g.weight.contiguous(), g.row_ptr, g.src, g.dst, g.src_ptr,
                                  g.by_src, scale);
}

}  // namespace nar::model
