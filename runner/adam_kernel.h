#pragma once
// The element pass of FlatAdam, apart from LibTorch so it builds with its own
// flags (see CMakeLists.txt): it must vectorise, and round the same in its
// vector body and scalar tail.
#include <cstdint>

namespace nar::runner {

struct AdamKernelStep {
    float beta1, beta2, one_minus_beta1, one_minus_beta2, sqrt_bc2, eps, neg_step_size,
        weight_decay;
};

// torch::optim::Adam::step's update of n elements, in its order.
void adam_range(float* p, const float* g, float* m, float* v, int64_t n, AdamKernelStep s);

}  // namespace nar::runner
