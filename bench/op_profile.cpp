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
};

std::mutex g_mu;
std::map<std::string, OpTime>* g_ops = nullptr;
thread_local std::vector<double> t_child;  // child time of each open frame

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction&) {
    auto c = std::make_unique<Ctx>();
    c->start = Clock::now();
    t_child.push_back(0);
    return c;
}

void on_end(const at::RecordFunction& fn, at::ObserverContext* ctx) {
    const auto* c = static_cast<Ctx*>(ctx);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - c->start).count();
    const double child = t_child.empty() ? 0 : t_child.back();
    if (!t_child.empty()) t_child.pop_back();
    if (!t_child.empty()) t_child.back() += ms;
    std::lock_guard<std::mutex> lock(g_mu);
    auto& o = (*g_ops)[fn.name()];
    o.self_ms += ms - child;
    ++o.calls;
}

}  // namespace

std::vector<OpTime> profile_ops(const std::function<void()>& fn) {
    std::map<std::string, OpTime> ops;
    g_ops = &ops;
    const auto handle = at::addGlobalCallback(
        at::RecordFunctionCallback(on_start, on_end)
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
