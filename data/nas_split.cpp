#include "data/nas_split.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/error.h"

namespace nar::data {

int64_t train_count_from_fraction(double fraction, int64_t total) {
    if (!(fraction > 0.0) || fraction > 1.0)
        throw common::Error("train fraction must be in (0, 1], got " + std::to_string(fraction));
    return static_cast<int64_t>(std::floor(fraction * static_cast<double>(total) + 0.5));
}

uint64_t uniform_index(std::mt19937_64& rng, uint64_t bound) {
    // Reject the lowest (2^64 mod bound) values so every residue is equally likely.
    const uint64_t threshold = (0 - bound) % bound;
    while (true) {
        uint64_t r = rng();
        if (r >= threshold) return r % bound;
    }
}

std::vector<int64_t> shuffled_order(int64_t total, uint64_t seed) {
    std::vector<int64_t> order(static_cast<size_t>(total));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    for (int64_t i = total - 1; i > 0; --i)
        std::swap(order[i], order[uniform_index(rng, static_cast<uint64_t>(i) + 1)]);
    return order;
}

NasSplit make_nas_split(int64_t total, const NasSplitOptions& opt) {
    const int64_t n_train = opt.train_count >= 0
                                ? opt.train_count
                                : train_count_from_fraction(opt.train_fraction, total);
    if (n_train < 1) throw common::Error("the training set would be empty");
    if (opt.val_count < 0) throw common::Error("val_count must be >= 0");
    if (n_train + opt.val_count > total)
        throw common::Error("split needs " + std::to_string(n_train) + " training + " +
                            std::to_string(opt.val_count) +
                            " validation cells, but the data set has " + std::to_string(total));
    std::vector<int64_t> order = shuffled_order(total, opt.seed);
    NasSplit s;
    s.train.assign(order.begin(), order.begin() + n_train);
    s.val.assign(order.begin() + n_train, order.begin() + n_train + opt.val_count);
    if (opt.test_mode == TestMode::Whole) {
        s.test.resize(static_cast<size_t>(total));
        std::iota(s.test.begin(), s.test.end(), 0);
    } else {
        s.test.assign(order.begin() + n_train + opt.val_count, order.end());
        std::sort(s.test.begin(), s.test.end());  // ascending, like the whole-space list
    }
    return s;
}

}  // namespace nar::data
