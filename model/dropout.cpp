#include "model/dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include <cmath>
#include <cstdint>
#include <mutex>

#include "model/dropout_mask.h"

namespace nar::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

using Mask = DropoutMask;

template <typename T>
__attribute__((target_clones("avx512f", "avx2", "default"))) void apply_range(
    const T* x, T* out, int64_t begin, int64_t end, Mask m, float scale, bool relu) {
    for (int64_t i = begin; i < end; ++i) {
        const float v = static_cast<float>(x[i]);
        const bool on = m.keep(i) && (!relu || v > 0);
        out[i] = static_cast<T>(on ? v * scale : 0.0f);
    }
}

void apply_range(const double* x, double* out, int64_t begin, int64_t end, Mask m, double scale,
                 bool relu) {
    for (int64_t i = begin; i < end; ++i) {
        const bool on = m.keep(i) && (!relu || x[i] > 0);
        out[i] = on ? x[i] * scale : 0.0;
    }
}

constexpr int64_t kGrain = 1 << 15;

torch::Tensor apply_mask(const torch::Tensor& x_in, const Mask& m, bool relu) {
    const auto x = x_in.contiguous();
    auto out = torch::empty_like(x);
    const double scale = m.scale();
    AT_DISPATCH_FLOATING_TYPES_AND(at::kBFloat16, x.scalar_type(), "nar_dropout", [&] {
        const auto* xp = x.data_ptr<scalar_t>();
        auto* op = out.data_ptr<scalar_t>();
        at::parallel_for(0, x.numel(), kGrain, [&](int64_t b, int64_t e) {
            if constexpr (std::is_same_v<scalar_t, double>) {
                apply_range(xp, op, b, e, m, scale, relu);
            } else {
                apply_range(xp, op, b, e, m, static_cast<float>(scale), relu);
            }
        });
    });
    return out;
}

template <typename T>
__attribute__((target_clones("avx512f", "avx2", "default"))) void positive_range(
    const T* g, const T* y, T* out, int64_t begin, int64_t end, float scale) {
    for (int64_t i = begin; i < end; ++i) {
        out[i] =
            static_cast<T>(static_cast<float>(y[i]) > 0 ? static_cast<float>(g[i]) * scale : 0.0f);
    }
}

void positive_range(const double* g, const double* y, double* out, int64_t begin, int64_t end,
                    double scale) {
    for (int64_t i = begin; i < end; ++i) out[i] = y[i] > 0 ? g[i] * scale : 0.0;
}

// grad * scale where the output is positive (fast_relu_dropout's backward).
torch::Tensor grad_where_positive(const torch::Tensor& grad_in, const torch::Tensor& y,
                                  double scale) {
    const auto g = grad_in.contiguous().to(y.scalar_type());
    auto out = torch::empty_like(y);
    AT_DISPATCH_FLOATING_TYPES_AND(at::kBFloat16, y.scalar_type(), "nar_dropout_grad", [&] {
        const auto* gp = g.data_ptr<scalar_t>();
        const auto* yp = y.data_ptr<scalar_t>();
        auto* op = out.data_ptr<scalar_t>();
        at::parallel_for(0, y.numel(), kGrain, [&](int64_t b, int64_t e) {
            if constexpr (std::is_same_v<scalar_t, double>) {
                positive_range(gp, yp, op, b, e, scale);
            } else {
                positive_range(gp, yp, op, b, e, static_cast<float>(scale));
            }
        });
    });
    return out;
}

struct DropoutFn : torch::autograd::Function<DropoutFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, double p,
                                 bool relu) {
        const Mask m = Mask::make(draw_dropout_seed(), p);
        auto out = apply_mask(x, m, relu);
        ctx->saved_data["seed"] = static_cast<int64_t>(m.seed);
        ctx->saved_data["p"] = p;
        ctx->saved_data["relu"] = relu;
        if (relu) ctx->save_for_backward({out});
        return out;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto seed = static_cast<uint64_t>(ctx->saved_data["seed"].toInt());
        const Mask m = Mask::make(seed, ctx->saved_data["p"].toDouble());
        torch::Tensor g;
        if (ctx->saved_data["relu"].toBool()) {
            g = grad_where_positive(grads[0], ctx->get_saved_variables()[0], m.scale());
        } else {
            g = apply_mask(grads[0], m, false);  // the same mask, the same scale
        }
        return {g, torch::Tensor(), torch::Tensor()};
    }
};

bool supported(const torch::Tensor& x) {
    const auto t = x.scalar_type();
    return x.is_cpu() && (t == torch::kFloat32 || t == torch::kFloat64 || t == torch::kBFloat16);
}

}  // namespace

uint64_t draw_dropout_seed() {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return at::check_generator<at::CPUGeneratorImpl>(gen)->random64();
}

torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool train) {
    if (!train || p <= 0) return x;
    if (!supported(x) || p >= 1) return torch::dropout(x, p, train);
    RECORD_FUNCTION("nar::dropout", std::vector<c10::IValue>({x}));
    return DropoutFn::apply(x, p, false);
}

torch::Tensor fast_relu_dropout(const torch::Tensor& x, double p, bool train) {
    if (!train || p <= 0) return torch::relu(x);
    if (!supported(x) || p >= 1) return torch::dropout(torch::relu(x), p, train);
    RECORD_FUNCTION("nar::relu_dropout", std::vector<c10::IValue>({x}));
    return DropoutFn::apply(x, p, true);
}

}  // namespace nar::model
