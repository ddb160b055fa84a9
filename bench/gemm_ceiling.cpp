#include "bench/gemm_ceiling.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>

#include "model/gemm.h"

extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace nar::bench {

namespace {

bool stored_transposed(const at::Tensor& t) {
    const int64_t d = t.dim();
    return !t.is_contiguous() && t.stride(d - 2) == 1 && t.stride(d - 1) == t.size(d - 2);
}

std::mutex g_mu;
std::vector<GemmShape>* g_out = nullptr;

using Clock = std::chrono::steady_clock;

// The index of s in *g_out.
size_t add(const GemmShape& s) {
    std::lock_guard<std::mutex> lock(g_mu);
    for (size_t i = 0; i < g_out->size(); ++i) {
        if ((*g_out)[i].same(s)) {
            ++(*g_out)[i].count;
            return i;
        }
    }
    g_out->push_back(s);
    g_out->back().count = 1;
    return g_out->size() - 1;
}

// Matrix products nested in another (baddbmm's per-batch addmm_) are not counted twice.
thread_local int t_inside = 0;

struct Nested : at::ObserverContext {};

struct Counted : at::ObserverContext {
    size_t index;
    Clock::time_point t0;
    explicit Counted(size_t i) : index(i), t0(Clock::now()) {}
};

std::unique_ptr<at::ObserverContext> observe(const at::RecordFunction& fn) {
    const char* name = fn.name();
    int a = -1;
    const bool dnnl = !std::strcmp(name, "nar::gemm");
    if (dnnl || !std::strcmp(name, "aten::mm") || !std::strcmp(name, "aten::bmm")) a = 0;
    if (!std::strcmp(name, "aten::addmm") || !std::strcmp(name, "aten::baddbmm") ||
        !std::strcmp(name, "aten::addmm_") || !std::strcmp(name, "aten::baddbmm_")) {
        a = 1;
    }
    if (a < 0) return nullptr;
    if (t_inside++ > 0) return std::make_unique<Nested>();
    const bool batched = name[6] == 'b' || name[9] == 'b';  // aten::bmm, aten::baddbmm(_)
    const auto in = fn.inputs();
    if (static_cast<int>(in.size()) < a + 2 || !in[a].isTensor() || !in[a + 1].isTensor()) {
        return std::make_unique<Nested>();  // not counted, but still open
    }
    const auto& x = in[a].toTensor();
    const auto& y = in[a + 1].toTensor();
    GemmShape s;
    s.batched = batched && !dnnl;
    s.dnnl = dnnl;
    const int64_t d = x.dim();
    s.b = batched ? x.size(0) : 1;
    s.m = x.size(d - 2);
    s.k = x.size(d - 1);
    s.n = y.size(d - 1);
    s.trans_a = stored_transposed(x);
    s.trans_b = stored_transposed(y);
    return std::make_unique<Counted>(add(s));
}

void leave(const at::RecordFunction&, at::ObserverContext* ctx) {
    if (!ctx) return;
    --t_inside;
    if (const auto* c = dynamic_cast<const Counted*>(ctx)) {
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - c->t0).count();
        std::lock_guard<std::mutex> lock(g_mu);
        (*g_out)[c->index].step_ms += ms;
    }
}

}  // namespace

bool GemmShape::same(const GemmShape& o) const {
    return batched == o.batched && dnnl == o.dnnl && b == o.b && m == o.m && k == o.k && n == o.n &&
           trans_a == o.trans_a && trans_b == o.trans_b;
}

std::vector<GemmShape> count_gemms(const std::function<void()>& fn) {
    std::vector<GemmShape> out;
    g_out = &out;
    const auto handle = at::addGlobalCallback(
        at::RecordFunctionCallback(observe, leave)
            .needsInputs(true)
            .scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION}));
    fn();
    at::removeCallback(handle);
    g_out = nullptr;
    return out;
}

double total_gflop(const std::vector<GemmShape>& shapes) {
    double f = 0;
    for (const auto& s : shapes) f += s.flops() * s.count;
    return f / 1e9;
}

void use_threads(int n) {
    at::set_num_threads(n);
    // OpenBLAS keeps its own pool: without this "1 thread" still multiplies on 2.
    if (openblas_set_num_threads != nullptr) openblas_set_num_threads(n);
}

std::vector<double> alone_ms(const std::vector<GemmShape>& shapes, torch::Dtype dtype) {
    torch::NoGradGuard no_grad;
    std::vector<double> out;
    for (const auto& s : shapes) {
        const auto opt = torch::TensorOptions().dtype(dtype);
        auto make = [&](int64_t r, int64_t c, bool trans) {
            if (s.batched) {
                return trans ? torch::randn({s.b, c, r}, opt).transpose(1, 2)
                             : torch::randn({s.b, r, c}, opt);
            }
            return trans ? torch::randn({c, r}, opt).t() : torch::randn({r, c}, opt);
        };
        const auto a = make(s.m, s.k, s.trans_a);
        const auto b = make(s.k, s.n, s.trans_b);
        auto c = s.batched ? torch::empty({s.b, s.m, s.n}, opt) : torch::empty({s.m, s.n}, opt);
        const auto run = [&] {
            if (s.batched)
                torch::bmm_out(c, a, b);
            else if (s.dnnl)
                model::gemm_out(c, a, b);
            else
                torch::mm_out(c, a, b);
        };
        const auto best_of = [&] {
            run();
            run();
            double best = 1e30, spent = 0;
            for (int rep = 0; rep < 200 && (rep < 5 || spent < 30.0); ++rep) {
                const auto t0 = Clock::now();
                run();
                const double ms =
                    std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                best = std::min(best, ms);
                spent += ms;
            }
            return best;
        };
        const int threads = at::get_num_threads();
        double best = best_of();
        if (threads > 1) {
            // A library may split a small product over threads slower than one
            // thread runs it (oneDNN's 64x64x256 took 5.6x longer on 2 threads
            // than on 1 here); a step can instead run such calls one per thread,
            // side by side when there are enough of them. The floor is the better.
            use_threads(1);
            const double one = best_of();
            use_threads(threads);
            best = std::min(best, s.count >= threads ? one / threads : one);
        }
        out.push_back(best);
    }
    return out;
}

double ceiling_ms(const std::vector<GemmShape>& shapes, torch::Dtype dtype) {
    const auto ms = alone_ms(shapes, dtype);
    double total = 0;
    for (size_t i = 0; i < shapes.size(); ++i) total += ms[i] * shapes[i].count;
    return total;
}

}  // namespace nar::bench
