// compare_results A.h5 B.h5 REL_TOL: exit 0 when both result files are done and
// their test predictions agree to REL_TOL (0 = bit for bit); prints the worst
// relative difference. Used by the integration tests.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "jobs/result_file.h"

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: compare_results A.h5 B.h5 REL_TOL\n");
        return 2;
    }
    try {
        auto a = nar::jobs::read_result(argv[1]);
        auto b = nar::jobs::read_result(argv[2]);
        const double tol = std::atof(argv[3]);
        if (a.status != nar::jobs::JobStatus::done || b.status != nar::jobs::JobStatus::done) {
            std::fprintf(stderr, "status %s / %s\n", nar::jobs::to_string(a.status).c_str(), nar::jobs::to_string(b.status).c_str());
            return 1;
        }
        if (a.predictions.size() != b.predictions.size() || a.predictions.empty()) {
            std::fprintf(stderr, "prediction counts differ: %zu vs %zu\n", a.predictions.size(),
                         b.predictions.size());
            return 1;
        }
        double worst = 0;
        for (size_t i = 0; i < a.predictions.size(); ++i) {
            const double d = std::fabs(a.predictions[i] - b.predictions[i]) /
                             std::max(std::fabs(a.predictions[i]), 1e-300);
            worst = std::max(worst, d);
        }
        std::printf("n=%zu worst relative difference %.3e (tolerance %.1e)\n", a.predictions.size(),
                    worst, tol);
        return worst <= tol ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
