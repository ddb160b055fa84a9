#include "bench/op_profile.h"

#include <ATen/record_function.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>

namespace nar::bench {

namespace {

using Clock = std::chrono::steady_clock;

struct Frame {
    Clock::time_point start;
    double child_ms = 0;
};

struct Ctx : at::ObserverContext {
    Clock::time_point start;
    std::string key;
};

bool g_shapes = false;

// "op [2x3, 3]": the op with the sizes of its tensor inputs.
std::string key_of(const at::RecordFunction& fn) {
    std::string k = fn.name();
    if (!g_shapes) return k;
    k += " [";
    bool first = true;
    for (const auto& v : fn.inputs()) {
        if (!v.isTensor()) continue;
        const auto& t = v.toTensor();
        if (!first) k += ", ";
        first = false;
        if (!t.defined()) {
            k += "-";
            continue;
        }
        for (int64_t d = 0; d < t.dim(); ++d) k += (d ? "x" : "") + std::to_string(t.size(d));
    }
    return k + "]";
}

std::mutex g_mu;
std::map<std::string, OpTime>* g_ops = nullptr;
thread_local std::vector<double> t_child;  // child time of each open frame

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
    auto c = std::make_unique<Ctx>();
    c->key = key_of(fn);
    c->start = Clock::now();
    t_child.push_back(0);
    return c;
}

void on_end(const at::RecordFunction&, at::ObserverContext* ctx) {
    const auto* c = static_cast<Ctx*>(ctx);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - c->start).count();
    const double child = t_child.empty() ? 0 : t_child.back();
    if (!t_child.empty()) t_child.pop_back();
    if (!t_child.empty()) t_child.back() += ms;
    std::lock_guard<std::mutex> lock(g_mu);
    auto& o = (*g_ops)[c->key];
    o.self_ms += ms - child;
    ++o.calls;
}

}  // namespace

std::vector<OpTime> profile_ops(const std::function<void()>& fn, bool shapes) {
    std::map<std::string, OpTime> ops;
    g_ops = &ops;
    g_shapes = shapes;
    const auto handle = at::addGlobalCallback(
        at::RecordFunctionCallback(on_start, on_end)
            .needsInputs(shapes)
            .scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION}));
    fn();
    at::removeCallback(handle);
    g_ops = nullptr;
    std::vector<OpTime> out;
    for (auto& [name, o] : ops) {
        o.name = name;
        out.push_back(o);
    }
    std::sort(out.begin(), out.end(),
              [](const OpTime& a, const OpTime& b) { return a.self_ms > b.self_ms; });
    return out;
}

}  // namespace nar::bench
