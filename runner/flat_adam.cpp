#include "runner/flat_adam.h"

#include <ATen/Parallel.h>

#include <cmath>

namespace nar::runner {

namespace {

using torch::optim::AdamOptions;
using torch::optim::AdamParamState;

struct AdamStep {
    float beta1, beta2, one_minus_beta1, one_minus_beta2, sqrt_bc2, eps, neg_step_size,
        weight_decay;
};

// The arithmetic of torch::optim::Adam::step, in its order, one element at a time.
__attribute__((target_clones("avx512f", "avx2", "default"))) void adam_range(
    float* p, const float* g, float* m, float* v, int64_t begin, int64_t end, AdamStep s) {
    for (int64_t i = begin; i < end; ++i) {
        const float grad = s.weight_decay != 0 ? g[i] + p[i] * s.weight_decay : g[i];
        const float mi = m[i] * s.beta1 + grad * s.one_minus_beta1;
        const float vi = v[i] * s.beta2 + grad * grad * s.one_minus_beta2;
        m[i] = mi;
        v[i] = vi;
        const float denom = std::sqrt(vi) / s.sqrt_bc2 + s.eps;
        p[i] = p[i] + s.neg_step_size * (mi / denom);
    }
}

// A tensor over part of the flat buffer with its own storage object (not an
// autograd view): zero_grad() may detach_() it, and serialising it writes only
// its own elements. It keeps the buffer alive.
torch::Tensor slice(const torch::Tensor& flat, int64_t offset, const torch::Tensor& like) {
    return torch::from_blob(
        flat.data_ptr<float>() + offset, like.sizes(), [keep = flat](void*) {}, flat.options());
}

}  // namespace

FlatAdam::FlatAdam(const std::vector<torch::Tensor>& params, AdamOptions options)
    : torch::optim::Adam(params, options) {
    if (param_groups_.size() != 1 || params.empty() || options.amsgrad()) return;
    const auto& ps = param_groups_[0].params();
    const auto opts = ps[0].options();
    int64_t total = 0;
    for (const auto& p : ps) {
        if (p.options().dtype() != opts.dtype() || p.device() != opts.device() ||
            p.scalar_type() != torch::kFloat32 || !p.is_contiguous()) {
            return;
        }
        offset_.push_back(total);
        total += p.numel();
    }
    const auto flat_opts = torch::TensorOptions().dtype(opts.dtype()).device(opts.device());
    value_ = torch::empty({total}, flat_opts);
    grad_ = torch::zeros({total}, flat_opts);
    exp_avg_ = torch::zeros({total}, flat_opts);
    exp_avg_sq_ = torch::zeros({total}, flat_opts);
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < ps.size(); ++i) {
        auto p = ps[i];
        auto v = slice(value_, offset_[i], p);
        v.copy_(p);
        p.set_data(v);  // the module keeps its handle; the data now lives in value_
        auto g = slice(grad_, offset_[i], p);
        if (p.grad().defined()) g.copy_(p.grad());
        p.mutable_grad() = g;
    }
    flat_ = true;
}

void FlatAdam::adopt_state() {
    const auto& ps = param_groups_[0].params();
    // A moment that is not (yet) a view of the flat buffer moves there.
    const auto adopt = [](const torch::Tensor& cur, torch::Tensor view) {
        if (cur.defined() && cur.data_ptr() == view.data_ptr()) return cur;
        torch::NoGradGuard no_grad;
        if (cur.defined()) view.copy_(cur);
        return view;
    };
    for (size_t i = 0; i < ps.size(); ++i) {
        const auto key = c10::guts::to_string(ps[i].unsafeGetTensorImpl());
        auto it = state_.find(key);
        if (it == state_.end()) {
            auto st = std::make_unique<AdamParamState>();
            st->step(0);
            it = state_.emplace(key, std::move(st)).first;
        }
        auto& st = static_cast<AdamParamState&>(*it->second);
        st.exp_avg(adopt(st.exp_avg(), slice(exp_avg_, offset_[i], ps[i])));
        st.exp_avg_sq(adopt(st.exp_avg_sq(), slice(exp_avg_sq_, offset_[i], ps[i])));
    }
}

bool FlatAdam::fused_possible() {
    if (!flat_) return false;
    const auto& ps = param_groups_[0].params();
    int64_t step = -1;
    for (size_t i = 0; i < ps.size(); ++i) {
        const auto& g = ps[i].grad();
        if (!g.defined()) return false;  // Adam skips it: the fused pass cannot
        auto view = slice(grad_, offset_[i], ps[i]);
        if (g.data_ptr() != view.data_ptr()) {  // someone replaced the gradient tensor
            torch::NoGradGuard no_grad;
            view.copy_(g);
            ps[i].mutable_grad() = view;
        }
        const auto key = c10::guts::to_string(ps[i].unsafeGetTensorImpl());
        const auto s = static_cast<AdamParamState&>(*state_.at(key)).step();
        if (step >= 0 && s != step) return false;
        step = s;
    }
    return true;
}

torch::Tensor FlatAdam::step(LossClosure closure) {
    if (!flat_) return torch::optim::Adam::step(closure);
    adopt_state();
    if (!fused_possible()) return torch::optim::Adam::step(closure);
    torch::Tensor loss;
    if (closure) {
        torch::AutoGradMode grad_mode(true);
        loss = closure();
    }
    const auto& o = static_cast<const AdamOptions&>(param_groups_[0].options());
    int64_t step = 0;
    for (const auto& p : param_groups_[0].params()) {
        auto& s =
            static_cast<AdamParamState&>(*state_.at(c10::guts::to_string(p.unsafeGetTensorImpl())));
        s.step(s.step() + 1);
        step = s.step();
    }
    const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
    const double bc1 = 1 - std::pow(beta1, step), bc2 = 1 - std::pow(beta2, step);
    const AdamStep s{static_cast<float>(beta1),          static_cast<float>(beta2),
                     static_cast<float>(1 - beta1),      static_cast<float>(1 - beta2),
                     static_cast<float>(std::sqrt(bc2)), static_cast<float>(o.eps()),
                     static_cast<float>(-o.lr() / bc1),  static_cast<float>(o.weight_decay())};
    float* p = value_.data_ptr<float>();
    const float* g = grad_.data_ptr<float>();
    float* m = exp_avg_.data_ptr<float>();
    float* v = exp_avg_sq_.data_ptr<float>();
    at::parallel_for(0, value_.numel(), 1 << 16,
                     [&](int64_t b, int64_t e) { adam_range(p, g, m, v, b, e, s); });
    return loss;
}

void FlatAdam::load(torch::serialize::InputArchive& archive) {
    torch::optim::Adam::load(archive);
    if (flat_) adopt_state();  // the loaded moments move into the flat buffers
}

}  // namespace nar::runner
