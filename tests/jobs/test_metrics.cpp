// Metrics against the reference implementation's golden values, and τ-b
// against a brute-force O(n²) count.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "common/h5.h"
#include "jobs/metrics.h"

namespace {

using nar::jobs::compute_metrics;
using nar::jobs::kendall_tau_b;

const std::string kGolden = std::string(NAR_FIXTURES) + "/golden/metrics/metrics.h5";

void check_case(const std::string& name) {
    SCOPED_TRACE(name);
    nar::common::H5File f(kGolden, nar::common::H5File::Mode::Read);
    auto pred = f.read_f64(name + "/pred");
    auto target = f.read_f64(name + "/target");
    auto ape_ref = f.read_f64(name + "/ape");
    auto acc_ref = f.read_f64(name + "/acc_10_5_1");
    double mape_ref = f.read_scalar_f64(name + "/mape");
    double tau_ref = f.read_scalar_f64(name + "/kendall_tau_b");

    auto ape = nar::jobs::absolute_percentage_errors(pred, target);
    ASSERT_EQ(ape.size(), ape_ref.size());
    for (size_t i = 0; i < ape.size(); ++i) EXPECT_EQ(ape[i], ape_ref[i]) << "sample " << i;

    auto m = compute_metrics(pred, target);
    EXPECT_EQ(m.n, pred.size());
    EXPECT_NEAR(m.mape, mape_ref, 1e-15 * std::max(1.0, mape_ref));
    // Shares of integer counts: exact.
    EXPECT_EQ(m.acc10, acc_ref[0]);
    EXPECT_EQ(m.acc5, acc_ref[1]);
    EXPECT_EQ(m.acc1, acc_ref[2]);
    if (std::isnan(tau_ref)) {
        EXPECT_TRUE(std::isnan(m.kendall_tau));
    } else {
        EXPECT_NEAR(m.kendall_tau, tau_ref, 1e-15);
    }
}

TEST(MetricsGolden, SmallDistinct) { check_case("small_distinct"); }
TEST(MetricsGolden, Ties) { check_case("ties"); }
TEST(MetricsGolden, RandomN1000) { check_case("random_n1000"); }
TEST(MetricsGolden, NearBounds) { check_case("near_bounds"); }
TEST(MetricsGolden, ConstantPrediction) { check_case("constant_prediction"); }

TEST(MetricsGolden, NearBoundsIsInclusiveInFloat64) {
    // 1.1f vs 1.0 is 0.10000002 > 0.1 (not counted); 10.5 vs 10 is exactly 0.05 (counted).
    std::vector<double> pred{static_cast<double>(1.1f), 10.5};
    std::vector<double> target{1.0, 10.0};
    EXPECT_EQ(nar::jobs::accuracy_within(pred, target, 0.10), 0.5);
    EXPECT_EQ(nar::jobs::accuracy_within(pred, target, 0.05), 0.5);
}

// Brute-force τ-b straight from the definition.
double brute_tau_b(const std::vector<double>& x, const std::vector<double>& y) {
    long long conc = 0, disc = 0, tx = 0, ty = 0;  // tx: ties only in x, ty: only in y
    for (size_t i = 0; i < x.size(); ++i) {
        for (size_t j = i + 1; j < x.size(); ++j) {
            double dx = x[i] - x[j], dy = y[i] - y[j];
            if (dx == 0 && dy == 0) continue;
            if (dx == 0) {
                ++tx;
            } else if (dy == 0) {
                ++ty;
            } else if ((dx > 0) == (dy > 0)) {
                ++conc;
            } else {
                ++disc;
            }
        }
    }
    return (conc - disc) / std::sqrt(double(conc + disc + tx) * double(conc + disc + ty));
}

TEST(Metrics, KendallTauMatchesBruteForceWithTies) {
    std::mt19937 rng(7);
    const size_t n = 2000;
    for (int levels : {5, 50, 100000}) {
        std::uniform_int_distribution<int> coarse(0, levels);
        std::normal_distribution<double> noise(0.0, 1.0);
        std::vector<double> x(n), y(n);
        for (size_t i = 0; i < n; ++i) {
            x[i] = coarse(rng);
            // Correlated y, rounded so it has ties too.
            y[i] = std::round((x[i] + noise(rng) * levels / 4.0) * 2) / 2;
        }
        double fast = kendall_tau_b(x, y), slow = brute_tau_b(x, y);
        EXPECT_NEAR(fast, slow, 1e-12) << "levels " << levels;
        EXPECT_NEAR(kendall_tau_b(y, x), slow, 1e-12) << "symmetric, levels " << levels;
    }
}

TEST(Metrics, KendallTauExtremesAndDegenerate) {
    std::vector<double> a{1, 2, 3, 4, 5}, b{10, 20, 30, 40, 50}, r{5, 4, 3, 2, 1};
    EXPECT_DOUBLE_EQ(kendall_tau_b(a, b), 1.0);
    EXPECT_DOUBLE_EQ(kendall_tau_b(a, r), -1.0);
    EXPECT_TRUE(std::isnan(kendall_tau_b({1, 1, 1}, {1, 2, 3})));
    EXPECT_TRUE(std::isnan(kendall_tau_b({1, 2, 3}, {4, 4, 4})));
    EXPECT_TRUE(std::isnan(kendall_tau_b({1}, {2})));
    EXPECT_TRUE(std::isnan(kendall_tau_b({1, 2, std::nan("")}, {1, 2, 3})));
    EXPECT_THROW(kendall_tau_b({1, 2}, {1}), std::exception);
}

TEST(Metrics, GroupMetricsSplitBySampleLabel) {
    std::vector<double> pred{1.0, 2.2, 3.0, 5.0}, target{1.0, 2.0, 3.3, 4.0};
    std::vector<std::string> groups{"a", "a", "b", "b"};
    auto g = nar::jobs::compute_group_metrics(pred, target, groups);
    ASSERT_EQ(g.size(), 2u);
    EXPECT_NEAR(g["a"].mape, (0.0 + 0.1) / 2, 1e-15);
    EXPECT_EQ(g["a"].n, 2u);
    EXPECT_NEAR(g["b"].mape, (0.3 / 3.3 + 0.25) / 2, 1e-15);
    EXPECT_EQ(g["b"].acc10, 0.5);
    auto named = nar::jobs::metrics_to_map(g["a"]);
    EXPECT_EQ(named.at("n"), 2.0);
    EXPECT_EQ(named.count("kendall_tau"), 1u);
    EXPECT_THROW(nar::jobs::compute_group_metrics(pred, target, {"a"}), std::exception);
}

}  // namespace
