#include "jobs/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>

#include "common/error.h"

namespace nar::jobs {

namespace {

void check_sizes(const std::vector<double>& a, const std::vector<double>& b, const char* what) {
    if (a.size() != b.size()) {
        throw common::Error(std::string(what) + ": predictions (" + std::to_string(a.size()) +
                            ") and targets (" + std::to_string(b.size()) + ") differ in length");
    }
}

// Pairs tied within runs of equal keys: sum of t(t-1)/2 over runs.
template <typename Eq>
int64_t tied_pairs(size_t n, Eq equal) {
    int64_t ties = 0, run = 1;
    for (size_t i = 1; i < n; ++i) {
        if (equal(i - 1, i)) {
            ++run;
        } else {
            ties += run * (run - 1) / 2;
            run = 1;
        }
    }
    return ties + run * (run - 1) / 2;
}

// Sorts v ascending with a bottom-up merge sort and returns the number of
// inversions (swaps a bubble sort would make): the discordant pairs.
int64_t merge_sort_swaps(std::vector<double>& v) {
    const size_t n = v.size();
    std::vector<double> buf(n);
    int64_t swaps = 0;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = std::min(lo + width, n), hi = std::min(lo + 2 * width, n);
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                if (v[j] < v[i]) {
                    swaps += static_cast<int64_t>(mid - i);
                    buf[k++] = v[j++];
                } else {
                    buf[k++] = v[i++];
                }
            }
            while (i < mid) buf[k++] = v[i++];
            while (j < hi) buf[k++] = v[j++];
        }
        v.swap(buf);
    }
    return swaps;
}

}  // namespace

std::vector<double> absolute_percentage_errors(const std::vector<double>& pred,
                                               const std::vector<double>& target) {
    check_sizes(pred, target, "absolute_percentage_errors");
    std::vector<double> ape(pred.size());
    for (size_t i = 0; i < pred.size(); ++i) ape[i] = std::abs(pred[i] - target[i]) / target[i];
    return ape;
}

double mape(const std::vector<double>& pred, const std::vector<double>& target) {
    auto ape = absolute_percentage_errors(pred, target);
    if (ape.empty()) return std::numeric_limits<double>::quiet_NaN();
    return std::accumulate(ape.begin(), ape.end(), 0.0) / static_cast<double>(ape.size());
}

double accuracy_within(const std::vector<double>& pred, const std::vector<double>& target,
                       double delta) {
    auto ape = absolute_percentage_errors(pred, target);
    if (ape.empty()) return std::numeric_limits<double>::quiet_NaN();
    size_t hit = 0;
    for (double e : ape) hit += e <= delta ? 1 : 0;
    return static_cast<double>(hit) / static_cast<double>(ape.size());
}

double kendall_tau_b(const std::vector<double>& x, const std::vector<double>& y) {
    check_sizes(x, y, "kendall_tau_b");
    const size_t n = x.size();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (n < 2) return nan;
    // NaN propagates, as scipy's default nan_policy (and NaN would break the sort).
    for (size_t i = 0; i < n; ++i) {
        if (std::isnan(x[i]) || std::isnan(y[i])) return nan;
    }

    // Sort by (x, y): ties in x and joint ties become runs. Sorting the pairs
    // themselves (not an index) keeps the sort cache-friendly.
    std::vector<std::pair<double, double>> xy(n);
    for (size_t i = 0; i < n; ++i) xy[i] = {x[i], y[i]};
    std::sort(xy.begin(), xy.end());
    std::vector<double> xs(n), ys(n);
    for (size_t i = 0; i < n; ++i) {
        xs[i] = xy[i].first;
        ys[i] = xy[i].second;
    }
    const int64_t total = static_cast<int64_t>(n) * static_cast<int64_t>(n - 1) / 2;
    const int64_t x_ties = tied_pairs(n, [&](size_t a, size_t b) { return xs[a] == xs[b]; });
    const int64_t joint_ties =
        tied_pairs(n, [&](size_t a, size_t b) { return xs[a] == xs[b] && ys[a] == ys[b]; });
    // Within an x-run y is ascending, so swaps only count pairs discordant in x.
    const int64_t discordant = merge_sort_swaps(ys);
    const int64_t y_ties = tied_pairs(n, [&](size_t a, size_t b) { return ys[a] == ys[b]; });
    if (x_ties == total || y_ties == total) return nan;  // a constant array

    const int64_t con_minus_dis = total - x_ties - y_ties + joint_ties - 2 * discordant;
    // Same operation order as scipy 1.10 (two separate square roots).
    double tau = static_cast<double>(con_minus_dis) /
                 std::sqrt(static_cast<double>(total - x_ties)) /
                 std::sqrt(static_cast<double>(total - y_ties));
    return std::min(1.0, std::max(-1.0, tau));
}

Metrics compute_metrics(const std::vector<double>& pred, const std::vector<double>& target) {
    check_sizes(pred, target, "compute_metrics");
    Metrics m;
    m.n = pred.size();
    m.mape = mape(pred, target);
    m.acc10 = accuracy_within(pred, target, 0.10);
    m.acc5 = accuracy_within(pred, target, 0.05);
    m.acc1 = accuracy_within(pred, target, 0.01);
    m.kendall_tau = kendall_tau_b(target, pred);
    return m;
}

std::map<std::string, Metrics> compute_group_metrics(const std::vector<double>& pred,
                                                     const std::vector<double>& target,
                                                     const std::vector<std::string>& groups) {
    check_sizes(pred, target, "compute_group_metrics");
    if (groups.size() != pred.size()) {
        throw common::Error("compute_group_metrics: " + std::to_string(groups.size()) +
                            " group labels for " + std::to_string(pred.size()) + " samples");
    }
    std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> split;
    for (size_t i = 0; i < pred.size(); ++i) {
        auto& g = split[groups[i]];
        g.first.push_back(pred[i]);
        g.second.push_back(target[i]);
    }
    std::map<std::string, Metrics> out;
    for (auto& [name, pt] : split) out[name] = compute_metrics(pt.first, pt.second);
    return out;
}

std::map<std::string, double> metrics_to_map(const Metrics& m) {
    return {{"mape", m.mape},
            {"acc10", m.acc10},
            {"acc5", m.acc5},
            {"acc1", m.acc1},
            {"kendall_tau", m.kendall_tau},
            {"n", static_cast<double>(m.n)}};
}

}  // namespace nar::jobs
