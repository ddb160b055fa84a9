#pragma once
// Epoch batching: a seeded shuffle, then batches of similar-size graphs so the
// padding of a batch stays small, then a shuffled batch order.
#include <cstdint>
#include <vector>

namespace nar::runner {

// `sizes[i]` is the node count of sample i. Samples are shuffled with `seed`,
// cut into windows of `window_batches` batches, sorted by size inside each
// window, cut into batches of `batch_size` (the last may be short), and the
// batch order is shuffled. Deterministic for a given seed.
std::vector<std::vector<int64_t>> make_batches(const std::vector<int64_t>& sizes,
                                               int64_t batch_size, uint64_t seed,
                                               int64_t window_batches = 32);

// Fixed-order batches (evaluation): samples sorted by size, cut into batches.
std::vector<std::vector<int64_t>> make_eval_batches(const std::vector<int64_t>& sizes,
                                                    int64_t batch_size);

// A uniform integer in [0, n) from a 64-bit generator, independent of the
// standard library's distribution implementation.
uint64_t uniform_index(uint64_t random64, uint64_t n);

// Mixes a seed and a counter into a new 64-bit seed (splitmix64).
uint64_t mix_seed(uint64_t seed, uint64_t counter);

}  // namespace nar::runner
