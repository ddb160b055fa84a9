// model/dropout: the hashed-mask dropout used in training (keep rate, scale,
// reproducibility under torch::manual_seed and any thread count, gradients).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model/dropout.h"

using nar::model::fast_dropout;
using nar::model::fast_relu_dropout;

TEST(Dropout, EvalIsIdentityOrRelu) {
    const auto x = torch::randn({100, 7});
    EXPECT_TRUE(torch::equal(fast_dropout(x, 0.3, false), x));
    EXPECT_TRUE(torch::equal(fast_relu_dropout(x, 0.3, false), torch::relu(x)));
    EXPECT_TRUE(torch::equal(fast_dropout(x, 0.0, true), x));
}

TEST(Dropout, DropsAtRateAndScalesTheRest) {
    const double p = 0.05;
    const auto x = torch::rand({1000, 1000}) + 0.5;  // no zeros of its own
    torch::manual_seed(3);
    const auto y = fast_dropout(x, p, true);
    const auto kept = y != 0;
    const double drop_rate = 1.0 - kept.to(torch::kFloat64).mean().item<double>();
    EXPECT_NEAR(drop_rate, p, 1.2e-3);  // 5 sd of a binomial over 1e6 draws
    const auto ratio = y.masked_select(kept) / x.masked_select(kept);
    EXPECT_NEAR(ratio.min().item<float>(), 1.0 / (1 - p), 1e-5);
    EXPECT_NEAR(ratio.max().item<float>(), 1.0 / (1 - p), 1e-5);
    // Inverted dropout keeps the mean.
    EXPECT_NEAR(y.mean().item<double>(), x.mean().item<double>(), 2e-3);
}

TEST(Dropout, SeededAndIndependentOfThreads) {
    const auto x = torch::randn({300, 513});
    torch::manual_seed(11);
    torch::set_num_threads(1);
    const auto a = fast_dropout(x, 0.2, true);
    const auto a2 = fast_dropout(x, 0.2, true);  // the next call draws a new mask
    torch::manual_seed(11);
    torch::set_num_threads(2);
    const auto b = fast_dropout(x, 0.2, true);
    torch::set_num_threads(1);
    EXPECT_TRUE(torch::equal(a, b));
    EXPECT_FALSE(torch::equal(a, a2));
}

TEST(Dropout, GradientIsTheMaskTimesTheScale) {
    const double p = 0.25;
    for (bool relu : {false, true}) {
        auto x = torch::randn({200, 64}, torch::kFloat64).requires_grad_(true);
        torch::manual_seed(5);
        const auto y = relu ? fast_relu_dropout(x, p, true) : fast_dropout(x, p, true);
        const auto w = torch::randn_like(y);
        (y * w).sum().backward();
        // Kept (and, for relu, positive) entries pass w/(1-p); the rest nothing.
        const auto on = (y != 0).to(torch::kFloat64);
        EXPECT_TRUE(torch::allclose(x.grad(), on * w / (1 - p), 1e-12, 1e-12)) << relu;
        if (relu) {
            EXPECT_EQ((y.masked_select(x.detach() <= 0) != 0).sum().item<int64_t>(), 0);
        }
    }
}

TEST(Dropout, Bfloat16AndFallbacks) {
    const auto x = torch::rand({64, 64}).add(0.5).to(torch::kBFloat16);
    torch::manual_seed(1);
    const auto y = fast_dropout(x, 0.5, true);
    EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
    const double kept = (y != 0).to(torch::kFloat64).mean().item<double>();
    EXPECT_NEAR(kept, 0.5, 0.05);
    // p = 1 drops everything (LibTorch's path).
    EXPECT_EQ(fast_dropout(torch::ones({10}), 1.0, true).abs().sum().item<float>(), 0.0f);
}
