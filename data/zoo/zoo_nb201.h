#pragma once
// `nar zoo nb201`: the 15,625 NAS-Bench-201 networks as ONNX (family nasbench201),
// labelled with the bundled measured latency of one device: a whole-network latency
// dataset in NNLQP format. Degenerate cells (data/nb201_degenerate.h) are left out
// unless keep_degenerate. Every tenth cell (index % 10 == 9) is the test stage.
#include <cstdint>
#include <string>

namespace nar::data::zoo {

struct Nb201DatasetOptions {
    std::string device;  // a column of the bundled latency CSV (raspi4, pixel3, ...)
    std::string out;
    bool keep_degenerate = false;
    bool fold_bn = true;
    int64_t limit = 0;  // the first `limit` cells only (0 = all; for tests)
};

struct Nb201DatasetReport {
    int64_t written = 0;
    int64_t degenerate = 0;  // seen (excluded unless keep_degenerate)
};

// Throws common::Error for an unknown device (listing them) or an unwritable directory.
Nb201DatasetReport write_nb201_dataset(const Nb201DatasetOptions& options);

}  // namespace nar::data::zoo
