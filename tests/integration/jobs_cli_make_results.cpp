// Writes a small results directory for the `nar aggregate` integration test:
//   table2/alexnet/r00..r02  MAPE 20/21/22 %   (nnlqp-unseen)
//   table2/vgg16/r00         MAPE 12 %, r01 failed
//   gen/lat/r00..r03         MAPE 5/6/7/8 %    (nb201-latency)
// plus a stale .tmp and a checkpoint that aggregation must ignore.
#include <cstdio>
#include <fstream>
#include <string>

#include "jobs/job_result.h"
#include "jobs/metrics.h"
#include "jobs/result_file.h"

namespace {

nar::jobs::JobResult result(const std::string& id, const std::string& study,
                            const std::string& config, double mape) {
    nar::jobs::JobResult r;
    r.job_id = id;
    r.study = study;
    r.status = nar::jobs::JobStatus::done;
    r.config_text = config;
    // Two samples whose errors are both `mape`: one over, one under.
    r.targets = {1.0, 2.0};
    r.predictions = {1.0 + mape, 2.0 * (1 - mape)};
    r.groups = {"a", "b"};
    r.sample_ids = {0, 1};
    r.metrics = nar::jobs::metrics_to_map(nar::jobs::compute_metrics(r.predictions, r.targets));
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: jobs_cli_make_results DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    for (int r = 0; r < 3; ++r) {
        std::string id = "table2/alexnet/r0" + std::to_string(r);
        nar::jobs::write_result(
            dir + "/" + id + ".h5",
            result(id, "nnlqp-unseen", "holdout=alexnet\nstudy=nnlqp-unseen\n", 0.20 + 0.01 * r));
    }
    nar::jobs::write_result(
        dir + "/table2/vgg16/r00.h5",
        result("table2/vgg16/r00", "nnlqp-unseen", "holdout=vgg16\nstudy=nnlqp-unseen\n", 0.12));
    nar::jobs::JobResult failed;
    failed.job_id = "table2/vgg16/r01";
    failed.study = "nnlqp-unseen";
    failed.status = nar::jobs::JobStatus::failed;
    failed.error = "loss became NaN at epoch 4";
    failed.attempt = 2;
    nar::jobs::write_result(dir + "/table2/vgg16/r01.h5", failed);
    for (int r = 0; r < 4; ++r) {
        std::string id = "gen/lat/r0" + std::to_string(r);
        nar::jobs::write_result(
            dir + "/" + id + ".h5",
            result(id, "nb201-latency", "study=nb201-latency\n", 0.05 + 0.01 * r));
    }
    std::ofstream(dir + "/gen/lat/r04.h5.tmp") << "half-written";
    nar::jobs::write_result(dir + "/gen/lat/r05.ckpt.h5",
                            result("gen/lat/r05", "nb201-latency", "", 0.99));
    return 0;
}
