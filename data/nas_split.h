#pragma once
// The NAS-Bench splits of paper tables 3 and 4: a fixed seeded shuffle of all cells,
// the first N train, the next `val_count` validate, and test on the whole space or on
// the rest.
#include <cstdint>
#include <random>
#include <vector>

namespace nar::data {

enum class TestMode { Whole, Rest };

struct NasSplitOptions {
    int64_t train_count = -1;     // >= 0: this many; otherwise from train_fraction
    double train_fraction = 0.0;  // e.g. 0.05 -> 781 of 15,625
    int64_t val_count = 200;
    TestMode test_mode = TestMode::Whole;
    uint64_t seed = 0;
};

struct NasSplit {
    // Positions 0..total−1 (into the cell list).
    std::vector<int64_t> train, val, test;
};

// round-half-up(fraction · total): 5% of 15,625 = 781, 10% = 1,563, 0.1% of 423,624 =
// 424, 1% = 4,236 (the paper's counts).
int64_t train_count_from_fraction(double fraction, int64_t total);

// Uniform integer in [0, bound) by rejection (independent of the standard library's
// distribution implementation, so splits are identical everywhere).
uint64_t uniform_index(std::mt19937_64& rng, uint64_t bound);

// Fisher–Yates shuffle of 0..total−1 with std::mt19937_64(seed).
std::vector<int64_t> shuffled_order(int64_t total, uint64_t seed);

// Throws common::Error when train + val exceed total or the options are invalid.
NasSplit make_nas_split(int64_t total, const NasSplitOptions& opt);

}  // namespace nar::data
