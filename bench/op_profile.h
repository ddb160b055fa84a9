#pragma once
// A small op-level profiler for the benchmark: a RecordFunction observer that
// sums the self time (own time minus nested ops) of every aten op and autograd
// node. LibTorch's own profiler needs Kineto, which Debian's build lacks.
#include <functional>
#include <string>
#include <vector>

namespace nar::bench {

struct OpTime {
    std::string name;
    double self_ms = 0;
    long long calls = 0;
};

// Runs fn with the observer on; returns ops by self time, largest first. With
// shapes, each op is split by the sizes of its tensor inputs.
std::vector<OpTime> profile_ops(const std::function<void()>& fn, bool shapes = false);

}  // namespace nar::bench
