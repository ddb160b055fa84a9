#pragma once
// Dropout without LibTorch's per-element Bernoulli sampling. On CPU builds
// without MKL, torch::dropout draws every mask bit through the locked
// mt19937 generator (~8 ns per element: 75 ms of a 370 ms latency step,
// measured with bench_train_step --profile). Here the mask comes from a
// counter-based hash of (seed, element index), the seed drawn once per call
// from LibTorch's default generator, so torch::manual_seed still fixes it and
// the result does not depend on the thread count. The backward regenerates
// the mask from the seed (nothing stored); fast_relu_dropout's backward reads its
// own output. Falls back to torch::dropout off the CPU or for other dtypes.
#include <torch/torch.h>

namespace nar::model {

// Inverted dropout: each element kept with probability 1-p and scaled 1/(1-p).
torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool train);

// fast_dropout(relu(x)) (= relu(fast_dropout(x))) in one pass.
torch::Tensor fast_relu_dropout(const torch::Tensor& x, double p, bool train);

}  // namespace nar::model
