#include "runner/batch_sampler.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace nar::runner {

uint64_t mix_seed(uint64_t seed, uint64_t counter) {
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (counter + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t uniform_index(uint64_t random64, uint64_t n) {
    // Multiply-shift: maps 64 random bits to [0, n) without a modulo bias worth noting.
    return static_cast<uint64_t>((static_cast<unsigned __int128>(random64) * n) >> 64);
}

namespace {
template <typename T>
void shuffle(std::vector<T>& v, std::mt19937_64& rng) {
    for (size_t i = v.size(); i > 1; --i) {
        size_t j = uniform_index(rng(), i);
        std::swap(v[i - 1], v[j]);
    }
}
}  // namespace

std::vector<std::vector<int64_t>> make_batches(const std::vector<int64_t>& sizes,
                                               int64_t batch_size, uint64_t seed,
                                               int64_t window_batches) {
    std::mt19937_64 rng(seed);
    std::vector<int64_t> order(sizes.size());
    std::iota(order.begin(), order.end(), 0);
    shuffle(order, rng);
    std::vector<std::vector<int64_t>> batches;
    const size_t window = static_cast<size_t>(batch_size * window_batches);
    for (size_t start = 0; start < order.size(); start += window) {
        size_t end = std::min(order.size(), start + window);
        std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(start),
                         order.begin() + static_cast<std::ptrdiff_t>(end),
                         [&](int64_t a, int64_t b) { return sizes[a] < sizes[b]; });
        for (size_t b = start; b < end; b += static_cast<size_t>(batch_size)) {
            size_t e = std::min(end, b + static_cast<size_t>(batch_size));
            batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(b),
                                 order.begin() + static_cast<std::ptrdiff_t>(e));
        }
    }
    shuffle(batches, rng);
    return batches;
}

std::vector<std::vector<int64_t>> make_eval_batches(const std::vector<int64_t>& sizes,
                                                    int64_t batch_size) {
    std::vector<int64_t> order(sizes.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return sizes[a] < sizes[b]; });
    std::vector<std::vector<int64_t>> batches;
    for (size_t b = 0; b < order.size(); b += static_cast<size_t>(batch_size)) {
        size_t e = std::min(order.size(), b + static_cast<size_t>(batch_size));
        batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(b),
                             order.begin() + static_cast<std::ptrdiff_t>(e));
    }
    return batches;
}

}  // namespace nar::runner
