#include "model/matmul_precision.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>

#include "common/blas_core.h"
#include "common/error.h"
#include "model/bf16_cast.h"
#include "model/gemm.h"

namespace nar::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

thread_local Precision t_precision = Precision::Float32;

constexpr int64_t kRowMultiple = 32;

void check_matrix(const torch::Tensor& x) {
    if (x.dim() != 2) {
        throw common::Error("bf16 linear product: expected a T×D input, got " +
                            std::to_string(x.dim()) + " dimensions");
    }
}

// y = x·wᵀ with bf16 operands, float32 in and out; the weight gradient through
// weight_grad_product (autograd's own mm backward would not pad).
struct Bf16LinearFn : torch::autograd::Function<Bf16LinearFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& w) {
        const auto xb = to_bf16(x), wb = to_bf16(w);
        ctx->save_for_backward({xb, wb});
        return to_float32(torch::mm(xb, wb.t()));
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto gb = to_bf16(grads[0]);
        torch::Tensor gx, gw;
        if (ctx->needs_input_grad(0)) gx = to_float32(torch::mm(gb, saved[1]));
        if (ctx->needs_input_grad(1)) gw = to_float32(weight_grad_product(gb, saved[0]));
        return {gx, gw};
    }
};

// y = x·wᵀ (+ b) with both passes' products through gemm_out: autograd's own
// addmm backward would run them on LibTorch's BLAS. No bias is an empty b
// (autograd::Function takes no undefined inputs).
struct LinearFn : torch::autograd::Function<LinearFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& w, const torch::Tensor& b) {
        const bool bias = b.numel() > 0;
        auto y = bias ? b.expand({x.size(0), w.size(0)}).contiguous()
                      : torch::empty({x.size(0), w.size(0)}, x.options());
        gemm_out(y, x, w.t(), bias ? 1.0f : 0.0f);
        ctx->save_for_backward({x, w});
        ctx->saved_data["bias"] = bias;
        return y;
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto& g = grads[0];
        torch::Tensor gx, gw, gb;
        if (ctx->needs_input_grad(0)) gx = gemm(g, saved[1]);
        if (ctx->needs_input_grad(1)) gw = gemm(g.t(), saved[0]);
        if (ctx->saved_data["bias"].toBool() && ctx->needs_input_grad(2)) gb = g.sum(0);
        return {gx, gw, gb};
    }
};

// out += x·wᵀ in place (root's product into agg's output), as LinearFn.
struct AddLinearFn : torch::autograd::Function<AddLinearFn> {
    static torch::Tensor forward(AutogradContext* ctx, torch::Tensor out, const torch::Tensor& x,
                                 const torch::Tensor& w) {
        gemm_out(out, x, w.t(), 1.0f);
        ctx->mark_dirty({out});
        ctx->save_for_backward({x, w});
        return out;
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto& g = grads[0];
        torch::Tensor gx, gw;
        if (ctx->needs_input_grad(1)) gx = gemm(g, saved[1]);
        if (ctx->needs_input_grad(2)) gw = gemm(g.t(), saved[0]);
        return {g, gx, gw};
    }
};

// The float32 products of a T×D input that gemm_out would give to oneDNN.
bool on_dnnl(const torch::Tensor& x, const torch::Tensor& w) {
    return x.dim() == 2 && w.dim() == 2 && gemm_uses_dnnl(x) && w.scalar_type() == x.scalar_type();
}

bool lowered(const torch::Tensor& t) {
    return t_precision == Precision::BF16 && t.scalar_type() == torch::kFloat32;
}

}  // namespace

std::string bf16_unsupported_reason() {
    if (!at::hasMKLDNN()) return "this LibTorch was built without oneDNN (MKLDNN)";
    if (!common::read_cpu_features().avx512_bf16) {
        return "this CPU has no avx512_bf16 (oneDNN would emulate bf16 products, slower than "
               "float32)";
    }
    return "";
}

void require_bf16_support(const std::string& what) {
    const std::string why = bf16_unsupported_reason();
    if (!why.empty()) throw common::Error(what + ": " + why);
}

ProductRates measure_product_rates() {
    torch::NoGradGuard no_grad;
    constexpr int64_t kT = 1024, kD = 512;
    // Fixed values, not randn: the probe runs after the model's seeded initialisation
    // and must not move the global generator.
    const auto x = torch::linspace(-1, 1, kT * kD).reshape({kT, kD});
    const auto w = torch::linspace(1, -1, kD * kD).reshape({kD, kD});
    const auto xb = x.to(torch::kBFloat16), wb = w.to(torch::kBFloat16);
    const double gflop = 2.0 * kT * kD * kD / 1e9;
    auto best_rate = [&](const std::function<void()>& product) {
        double best = 0;
        for (int rep = 0; rep < 4; ++rep) {
            const auto t0 = std::chrono::steady_clock::now();
            product();
            const std::chrono::duration<double> s = std::chrono::steady_clock::now() - t0;
            if (rep > 0 && s.count() > 0) best = std::max(best, gflop / s.count());
        }
        return best;
    };
    ProductRates r;
    auto y = torch::empty({kT, kD});
    r.float32_gflops = best_rate([&] { gemm_out(y, x, w.t()); });
    r.bf16_gflops = best_rate([&] { torch::mm(xb, wb.t()); });
    return r;
}

std::string bf16_speed_warning(const ProductRates& r) {
    const double f = r.float32_gflops, b = r.bf16_gflops;
    if (!(f > 0) || !(b > 0) || !std::isfinite(f) || !std::isfinite(b) || b >= f) return "";
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "precision=bf16: a 1024x512x512 product ran at %.0f GF/s in bf16 against %.0f "
                  "in float32 on this CPU, so this job will likely run slower than float32 "
                  "(and its results differ from float32's)",
                  b, f);
    return buf;
}

Precision matmul_precision() { return t_precision; }

PrecisionGuard::PrecisionGuard(Precision p) : saved_(t_precision) { t_precision = p; }
PrecisionGuard::~PrecisionGuard() { t_precision = saved_; }

torch::Tensor product_operand(const torch::Tensor& t) {
    return lowered(t) ? to_bf16(t) : t.contiguous();
}

torch::ScalarType product_dtype(const torch::Tensor& like) {
    return lowered(like) ? torch::kBFloat16 : like.scalar_type();
}

torch::Tensor zero_pad_rows(const torch::Tensor& t, int64_t multiple) {
    const int64_t rows = t.size(-2), pad = (multiple - rows % multiple) % multiple;
    if (pad == 0) return t;
    // Only the pad is zeroed: constant_pad_nd fills the whole result, then
    // copies over it (3 ms of a 85 ms bf16 latency step, 2026-12-07).
    auto sizes = t.sizes().vec();
    sizes[sizes.size() - 2] += pad;
    auto out = torch::empty(sizes, t.options());
    out.narrow(-2, 0, rows).copy_(t);
    out.narrow(-2, rows, pad).zero_();
    return out;
}

torch::Tensor weight_grad_product(const torch::Tensor& a, const torch::Tensor& b) {
    if (a.scalar_type() != torch::kBFloat16) return torch::matmul(a.transpose(-2, -1), b);
    return torch::matmul(zero_pad_rows(a, kRowMultiple).transpose(-2, -1),
                         zero_pad_rows(b, kRowMultiple));
}

torch::Tensor linear_at_own_precision(const torch::Tensor& x, const torch::Tensor& w,
                                      const torch::Tensor& b) {
    if (on_dnnl(x, w) && (!b.defined() || b.scalar_type() == x.scalar_type()))
        return LinearFn::apply(x, w, b.defined() ? b : torch::empty({0}, x.options()));
    return torch::nn::functional::linear(x, w, b);
}

torch::Tensor linear_at_own_precision(const torch::nn::Linear& l, const torch::Tensor& x) {
    return linear_at_own_precision(x, l->weight, l->bias);
}

torch::Tensor linear_product(const torch::Tensor& x, const torch::Tensor& w,
                             const torch::Tensor& b) {
    if (!lowered(x)) return linear_at_own_precision(x, w, b);
    check_matrix(x);
    // The bias joins in float32, after the product.
    auto y = Bf16LinearFn::apply(x, w);
    return b.defined() ? y.add_(b) : y;
}

torch::Tensor& add_linear_product_(torch::Tensor& out, const torch::Tensor& x,
                                   const torch::Tensor& w) {
    if (!lowered(x)) {
        if (on_dnnl(x, w) && out.scalar_type() == x.scalar_type()) {
            out = AddLinearFn::apply(out, x, w);
            return out;
        }
        return out.addmm_(x, w.t());
    }
    check_matrix(x);
    return out.add_(Bf16LinearFn::apply(x, w));
}

}  // namespace nar::model
