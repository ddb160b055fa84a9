#pragma once
// Test metrics of protocol.md: MAPE, Acc(δ) and Kendall's τ-b. All values are
// fractions (MAPE 0.0307 is printed as 3.07 %). Computed in float64 exactly as
// the reference (numpy/scipy) does, so golden comparisons are tight.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace nar::jobs {

struct Metrics {
    double mape = 0.0;         // mean(|p - y| / y)
    double acc10 = 0.0;        // share with |p - y| / y <= 0.10
    double acc5 = 0.0;         // ... <= 0.05
    double acc1 = 0.0;         // ... <= 0.01
    double kendall_tau = 0.0;  // τ-b; NaN when either array is constant or n < 2
    size_t n = 0;
};

// |p - y| / y per sample.
std::vector<double> absolute_percentage_errors(const std::vector<double>& pred,
                                               const std::vector<double>& target);
double mape(const std::vector<double>& pred, const std::vector<double>& target);
// Share of samples with APE <= delta (inclusive, as the reference).
double accuracy_within(const std::vector<double>& pred, const std::vector<double>& target,
                       double delta);
// Kendall's τ-b in O(n log n) (Knight 1966), as scipy.stats.kendalltau.
double kendall_tau_b(const std::vector<double>& x, const std::vector<double>& y);

// All metrics at once. Throws common::Error when the sizes differ.
Metrics compute_metrics(const std::vector<double>& pred, const std::vector<double>& target);

// Metrics per group label (e.g. NNLQP family): groups[i] labels sample i.
std::map<std::string, Metrics> compute_group_metrics(const std::vector<double>& pred,
                                                     const std::vector<double>& target,
                                                     const std::vector<std::string>& groups);

// Named form stored in result files: mape, acc10, acc5, acc1, kendall_tau, n.
std::map<std::string, double> metrics_to_map(const Metrics& m);

}  // namespace nar::jobs
