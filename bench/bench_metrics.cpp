// Times Kendall's tau-b and the other metrics on 400,000 pairs (about the
// size of NAS-Bench-101's whole space), with ties. Usage: bench_metrics [n] [reps]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "jobs/metrics.h"

int main(int argc, char** argv) {
    const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 400000;
    const int reps = argc > 2 ? std::atoi(argv[2]) : 5;
    std::mt19937_64 rng(42);
    std::normal_distribution<double> noise(0.0, 0.02);
    std::uniform_real_distribution<double> acc(0.80, 0.95);
    std::vector<double> target(n), pred(n);
    for (size_t i = 0; i < n; ++i) {
        // Accuracies rounded to 0.01% as in the benchmark tables: many ties.
        target[i] = std::round(acc(rng) * 1e4) / 1e4;
        pred[i] = target[i] + noise(rng);
    }
    using clock = std::chrono::steady_clock;
    std::vector<double> tau_ms, all_ms;
    double tau = 0;
    for (int r = 0; r < reps; ++r) {
        auto t0 = clock::now();
        tau = nar::jobs::kendall_tau_b(target, pred);
        auto t1 = clock::now();
        auto m = nar::jobs::compute_metrics(pred, target);
        auto t2 = clock::now();
        (void)m;
        tau_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        all_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    }
    std::sort(tau_ms.begin(), tau_ms.end());
    std::sort(all_ms.begin(), all_ms.end());
    std::printf("n=%zu reps=%d tau_b=%.6f\n", n, reps, tau);
    std::printf("kendall_tau_b: median %.1f ms (min %.1f, max %.1f)\n", tau_ms[reps / 2],
                tau_ms.front(), tau_ms.back());
    std::printf("compute_metrics (MAPE, Acc x3, tau): median %.1f ms\n", all_ms[reps / 2]);
    return 0;
}
