#include <gtest/gtest.h>

#include "common/error.h"
#include "data/nb201.h"
#include "data/nb201_degenerate.h"

namespace {

using nar::data::nb201_cell_is_degenerate;

TEST(Nb201Degenerate, DetectsCutCells) {
    // Every edge none: cut.
    EXPECT_TRUE(nb201_cell_is_degenerate("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"));
    // Only the direct edge 0->3 live: connected.
    EXPECT_FALSE(
        nb201_cell_is_degenerate("|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|"));
    // Live path 0->1->3 only.
    EXPECT_FALSE(nb201_cell_is_degenerate(
        "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|avg_pool_3x3~1|none~2|"));
    // Node 2 has live edges into node 3 but node 2 itself is unreachable: cut.
    EXPECT_TRUE(nb201_cell_is_degenerate(
        "|none~0|+|none~0|none~1|+|none~0|nor_conv_1x1~1|nor_conv_3x3~2|"));
    // Node 1 reachable, edge 1->2 live, 2->3 live: connected through 0->1->2->3.
    EXPECT_FALSE(nb201_cell_is_degenerate(
        "|skip_connect~0|+|none~0|nor_conv_1x1~1|+|none~0|none~1|nor_conv_3x3~2|"));
    EXPECT_THROW(nb201_cell_is_degenerate("|bogus~0|"), nar::common::Error);
}

TEST(Nb201Degenerate, AboutFourPercentOfTheSpace) {
    // Enumerate all 5^6 cells: the fraction with no live path is 1 - P(path), ~4%.
    const char* ops[] = {"nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3", "skip_connect", "none"};
    int degenerate = 0;
    for (int code = 0; code < 15625; ++code) {
        int c = code, e[6];
        for (int& x : e) x = c % 5, c /= 5;
        auto op = [&](int i, int from) {
            return std::string(ops[e[i]]) + "~" + std::to_string(from);
        };
        const std::string arch = "|" + op(0, 0) + "|+|" + op(1, 0) + "|" + op(2, 1) + "|+|" +
                                 op(3, 0) + "|" + op(4, 1) + "|" + op(5, 2) + "|";
        degenerate += nb201_cell_is_degenerate(arch) ? 1 : 0;
    }
    // Independent count from the path condition over live/dead edge patterns (a live
    // edge has 4 of the 5 ops): connected iff 0-3, 0-1-3, 0-2-3 or 0-1-2-3 is live.
    int expected = 0;
    for (int m = 0; m < 64; ++m) {
        auto live = [&](int i) { return (m >> i) & 1; };
        const bool connected = live(3) || (live(0) && live(4)) || (live(1) && live(5)) ||
                               (live(0) && live(2) && live(5));
        if (connected) continue;
        int w = 1;
        for (int i = 0; i < 6; ++i) w *= live(i) ? 4 : 1;
        expected += w;
    }
    EXPECT_EQ(degenerate, expected);
    EXPECT_GT(degenerate, 0);
}

TEST(Nb201Degenerate, TheNearZeroMeasuredCellsAreTheDegenerateOnes) {
    // Real data: on raspi4 and pixel3 the cells measured below 0.1 ms (a network that
    // computes nothing) are exactly cells the detector calls degenerate.
    const auto cells = nar::data::load_nb201_bundled();
    for (const char* dev : {"latency:raspi4", "latency:pixel3"}) {
        int near_zero = 0;
        for (const auto& c : cells)
            if (nar::data::cell_target(c, dev) < 0.1) {
                ++near_zero;
                EXPECT_TRUE(nb201_cell_is_degenerate(c.arch)) << dev << " " << c.arch;
            }
        EXPECT_GT(near_zero, 100) << dev;
    }
}

}  // namespace
