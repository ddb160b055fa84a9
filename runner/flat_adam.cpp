#include "runner/flat_adam.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

#include "runner/adam_kernel.h"

namespace nar::runner {

namespace {

using torch::optim::AdamOptions;
using torch::optim::AdamParamState;

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
        // A gradient autograd created (after release_gradients) is read where it
        // is; one of another layout is first copied into the flat buffer.
        if (g.scalar_type() != torch::kFloat32 || !g.is_contiguous() ||
            g.device() != ps[i].device()) {
            auto view = slice(grad_, offset_[i], ps[i]);
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
    const auto& ps = param_groups_[0].params();
    int64_t step = 0;
    for (const auto& p : ps) {
        auto& s =
            static_cast<AdamParamState&>(*state_.at(c10::guts::to_string(p.unsafeGetTensorImpl())));
        s.step(s.step() + 1);
        step = s.step();
    }
    const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
    const double bc1 = 1 - std::pow(beta1, step), bc2 = 1 - std::pow(beta2, step);
    const AdamKernelStep s{
        static_cast<float>(beta1),          static_cast<float>(beta2),
        static_cast<float>(1 - beta1),      static_cast<float>(1 - beta2),
        static_cast<float>(std::sqrt(bc2)), static_cast<float>(o.eps()),
        static_cast<float>(-o.lr() / bc1),  static_cast<float>(o.weight_decay())};
    std::vector<const float*> grads(ps.size());
    for (size_t i = 0; i < ps.size(); ++i) grads[i] = ps[i].grad().data_ptr<float>();
    float* p = value_.data_ptr<float>();
    float* m = exp_avg_.data_ptr<float>();
    float* v = exp_avg_sq_.data_ptr<float>();
    at::parallel_for(0, value_.numel(), 1 << 16, [&](int64_t b, int64_t e) {
        // The parameters that overlap [b, e), each with its own gradient.
        size_t i = std::upper_bound(offset_.begin(), offset_.end(), b) - offset_.begin() - 1;
        for (; i < ps.size() && offset_[i] < e; ++i) {
            const int64_t lo = std::max(b, offset_[i]);
            const int64_t hi = std::min(e, offset_[i] + ps[i].numel());
            adam_range(p + lo, grads[i] + (lo - offset_[i]), m + lo, v + lo, hi - lo, s);
        }
    });
    return loss;
}

void release_gradients(torch::optim::Optimizer& opt) {
    for (auto& group : opt.param_groups()) {
        for (auto& p : group.params()) p.mutable_grad() = torch::Tensor();
    }
}

void FlatAdam::load(torch::serialize::InputArchive& archive) {
    torch::optim::Adam::load(archive);
    if (flat_) adopt_state();  // the loaded moments move into the flat buffers
}

}  // namespace nar::runner
